package io.mnpipe.models.input;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-partition epochs in, which partitions may be read out: a partition whose next record belongs
 * to a later epoch waits until every other partition has finished the current epoch too (it waits
 * as well, or has nothing more to read now), so that a consumer reading partitions in chunks still
 * hands out epoch e whole before any of epoch e+1. Past {@code maxEpoch} a waiting partition is
 * finished. Pure bookkeeping; the source pauses and resumes the partitions.
 */
final class EpochBarrier {
  private final int maxEpoch;
  private final Map<Integer, Integer> waiting = new TreeMap<>();
  private volatile int epoch; // written by the reading thread only
  private boolean finished;

  /**
   * @param startEpoch records of this epoch or earlier pass at once (1 for a fresh run)
   * @param maxEpoch partitions reaching a later epoch are finished; 0 = no limit
   */
  EpochBarrier(int startEpoch, int maxEpoch) {
    this.epoch = Math.max(1, startEpoch);
    this.maxEpoch = maxEpoch;
  }

  /**
   * Whether a record of {@code recordEpoch} from {@code partition} may be handed out now. On false
   * the partition waits from this record on: the caller pauses it and rewinds to this record.
   */
  boolean admit(int partition, int recordEpoch) {
    if (waiting.containsKey(partition)) {
      return false;
    }
    if (recordEpoch <= epoch) {
      return true;
    }
    waiting.put(partition, recordEpoch);
    return false;
  }

  /** True if {@code partition} waits at a later epoch (paused by the caller). */
  boolean isWaiting(int partition) {
    return waiting.containsKey(partition);
  }

  /**
   * Moves on once every partition of {@code all} either waits or is in {@code idle} (nothing to
   * read now): the epoch becomes the lowest waiting one and the partitions waiting at it are
   * returned, to be resumed. Past maxEpoch nothing is released and {@link #finished()} turns true.
   */
  List<Integer> release(Set<Integer> all, Set<Integer> idle) {
    if (waiting.isEmpty() || finished) {
      return List.of();
    }
    for (int p : all) {
      if (!waiting.containsKey(p) && !idle.contains(p)) {
        return List.of();
      }
    }
    int next = Collections.min(waiting.values());
    if (maxEpoch > 0 && next > maxEpoch) {
      finished = true;
      return List.of();
    }
    epoch = next;
    List<Integer> go = new ArrayList<>();
    waiting.entrySet().removeIf(e -> {
      if (e.getValue() == next) {
        go.add(e.getKey());
        return true;
      }
      return false;
    });
    return go;
  }

  /** The input ends here: the last epoch is known to be whole (its end is marked in every partition). */
  void finish() {
    finished = true;
  }

  /** The last epoch to hand out; 0 = no limit. */
  int maxEpoch() {
    return maxEpoch;
  }

  /** True once every partition has either ended or reached an epoch past maxEpoch. */
  boolean finished() {
    return finished;
  }

  /** The epoch being handed out. */
  int epoch() {
    return epoch;
  }
}
