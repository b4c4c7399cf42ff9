package io.mnpipe.models.input;

import io.mnpipe.schemas.EpochEnd;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The end-of-epoch markers read so far ({@link EpochEnd}): a partition holds the whole of an epoch
 * once every writer of that epoch has marked its end there. Pure bookkeeping.
 */
final class EpochMarkers {
  /** partition -> epoch -> writers that marked it. */
  private final Map<Integer, Map<Integer, Set<Integer>>> seen = new HashMap<>();
  private final Map<Integer, Integer> writers = new HashMap<>();

  void add(int partition, EpochEnd end) {
    seen.computeIfAbsent(partition, p -> new HashMap<>()).computeIfAbsent(end.epoch(), e -> new HashSet<>())
        .add(end.writer());
    writers.merge(end.epoch(), end.writers(), Math::max);
  }

  /** True once every writer of {@code epoch} has marked its end in {@code partition}. */
  boolean complete(int partition, int epoch) {
    Integer n = writers.get(epoch);
    Set<Integer> got = seen.getOrDefault(partition, Map.of()).get(epoch);
    return n != null && got != null && got.size() >= n;
  }

  /** True once any marker was read: the topic's writer marks its epochs. */
  boolean any() {
    return !writers.isEmpty();
  }

  /** Drops what is known of epochs before {@code epoch}: they are handed out already. */
  void forgetBefore(int epoch) {
    writers.keySet().removeIf(e -> e < epoch);
    seen.values().forEach(m -> m.keySet().removeIf(e -> e < epoch));
  }
}
