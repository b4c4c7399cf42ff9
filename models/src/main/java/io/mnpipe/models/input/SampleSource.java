package io.mnpipe.models.input;

import io.mnpipe.schemas.avro.AugmentedSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Where samples come from (a Kafka topic, or a list in tests): polled by the loader thread only. */
public interface SampleSource extends AutoCloseable {
  /**
   * Samples that arrived within {@code timeout} with their positions, possibly none; null once the
   * source has delivered everything it will (a bounded source at its end, or every partition past
   * the last epoch wanted).
   */
  List<SourcedSample> poll(Duration timeout);

  /** Records a bounded source will deliver in all, where known up front (for the LR schedule). */
  default OptionalLong expectedRecords() {
    return OptionalLong.empty();
  }

  /** Records behind the end of the input as of the latest poll (Kafka consumer lag); -1 when unknown. */
  default long lag() {
    return -1;
  }

  /** The epoch it hands out now, for a source that orders epochs; 0 otherwise. Any thread. */
  default int epoch() {
    return 0;
  }

  /** Records that could not even be decoded into a sample (skipped). */
  default long undecodable() {
    return 0;
  }

  /** What the source reads, e.g. the topic name: a run resumes only from the source it was trained on. */
  default String name() {
    return "memory";
  }

  /**
   * Makes the next poll start at {@code next} (partition -> offset of the first record wanted;
   * partitions not named start at their beginning), for a run that resumes at {@code epoch}. Call
   * before the first poll.
   */
  default void seek(Map<Integer, Long> next, int epoch) {
    if (!next.isEmpty()) {
      throw new UnsupportedOperationException("source " + name() + " cannot resume from offsets " + next);
    }
  }

  @Override
  void close();

  /** A bounded source over samples held in memory, delivered {@code chunk} at a time (partition 0, offset = index). */
  static SampleSource of(List<AugmentedSample> samples, int chunk) {
    return new SampleSource() {
      private int next;

      @Override
      public List<SourcedSample> poll(Duration timeout) {
        if (next >= samples.size()) {
          return null;
        }
        int to = Math.min(samples.size(), next + chunk);
        List<SourcedSample> part = new ArrayList<>(to - next);
        for (; next < to; next++) {
          part.add(new SourcedSample(samples.get(next), 0, next));
        }
        return part;
      }

      @Override
      public OptionalLong expectedRecords() {
        return OptionalLong.of(samples.size());
      }

      @Override
      public void seek(Map<Integer, Long> offsets, int epoch) {
        next = (int) Math.min(samples.size(), offsets.getOrDefault(0, 0L));
      }

      @Override
      public void close() {}
    };
  }
}
