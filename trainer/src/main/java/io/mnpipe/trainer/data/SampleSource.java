package io.mnpipe.trainer.data;

import io.mnpipe.schemas.avro.AugmentedSample;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/** Where samples come from (a Kafka topic, or a list in tests): polled by the loader thread only. */
public interface SampleSource extends AutoCloseable {
  /**
   * Samples that arrived within {@code timeout}, possibly none; null once a bounded source has
   * delivered everything it will.
   */
  List<AugmentedSample> poll(Duration timeout);

  /** Records a bounded source will deliver in all, where known up front (for the LR schedule). */
  default OptionalLong expectedRecords() {
    return OptionalLong.empty();
  }

  /** Records that could not even be decoded into a sample (skipped). */
  default long undecodable() {
    return 0;
  }

  @Override
  void close();

  /** A bounded source over samples held in memory, delivered {@code chunk} at a time. */
  static SampleSource of(List<AugmentedSample> samples, int chunk) {
    return new SampleSource() {
      private int next;

      @Override
      public List<AugmentedSample> poll(Duration timeout) {
        if (next >= samples.size()) {
          return null;
        }
        List<AugmentedSample> part = samples.subList(next, Math.min(samples.size(), next + chunk));
        next += part.size();
        return part;
      }

      @Override
      public OptionalLong expectedRecords() {
        return OptionalLong.of(samples.size());
      }

      @Override
      public void close() {}
    };
  }
}
