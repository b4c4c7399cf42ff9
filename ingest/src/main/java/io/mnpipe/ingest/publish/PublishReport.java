package io.mnpipe.ingest.publish;

import java.util.List;

/**
 * What one publish run did.
 *
 * @param topic topic the records went to
 * @param published records the topic holds for this split now (earlier, interrupted runs included)
 * @param resumed of those, records an earlier run had already published (0 on a fresh run)
 * @param bytes image bytes published
 * @param countsPerClass published records per label
 * @param rejected inputs refused, each "key (source): reason"
 * @param seconds wall time of this run
 */
public record PublishReport(String topic, long published, long resumed, long bytes, long[] countsPerClass,
    List<String> rejected, double seconds) {

  /** Records this run itself sent. */
  public long sentNow() {
    return published - resumed;
  }

  public double recordsPerSecond() {
    return seconds > 0 ? sentNow() / seconds : 0;
  }

  public double megabytesPerSecond() {
    return seconds > 0 ? bytes / seconds / 1e6 * sentNow() / Math.max(1, published) : 0;
  }
}
