package io.mnpipe.ingest.publish;

import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts in, a periodic progress line with rate and ETA out. */
final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private final String what;
  private final OptionalLong total;
  private final long everyNanos;
  private final long start = System.nanoTime();
  private long last = start;

  Progress(String what, OptionalLong total, Duration every) {
    this.what = what;
    this.total = total;
    this.everyNanos = every.toNanos();
  }

  void tick(long done, long bytes) {
    long now = System.nanoTime();
    if (now - last < everyNanos) {
      return;
    }
    last = now;
    double secs = (now - start) / 1e9;
    double rate = done / secs;
    String eta = total.isPresent() && rate > 0
        ? String.format(", ETA %.0f s", (total.getAsLong() - done) / rate) : "";
    String of = total.isPresent() ? "/" + total.getAsLong() : "";
    LOG.info("{}: {}{} records, {} rec/s, {} MB/s{}", what, done, of, String.format("%.0f", rate),
        String.format("%.1f", bytes / secs / 1e6), eta);
  }
}
