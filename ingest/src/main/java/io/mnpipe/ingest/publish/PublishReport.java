package io.mnpipe.ingest.publish;

import java.util.List;

/**
 * What one publish run did.
 *
 * @param topic topic the records went to
 * @param published records acknowledged by the broker
 * @param bytes image bytes published
 * @param countsPerClass published records per label
 * @param rejected inputs refused, each "key: reason"
 * @param seconds wall time
 */
public record PublishReport(String topic, long published, long bytes, long[] countsPerClass,
    List<String> rejected, double seconds) {

  public double recordsPerSecond() {
    return seconds > 0 ? published / seconds : 0;
  }

  public double megabytesPerSecond() {
    return seconds > 0 ? bytes / seconds / 1e6 : 0;
  }
}
