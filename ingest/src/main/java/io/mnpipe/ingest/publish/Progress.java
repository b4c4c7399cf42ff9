package io.mnpipe.ingest.publish;

import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts in, progress out: a redrawn bar with rate and ETA on a terminal, a plain log line every
 * {@code every} otherwise (CI logs, files).
 */
final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private final String what;
  private final OptionalLong total;
  private final long everyNanos;
  private final boolean terminal;
  private final PrintStream out = System.err;
  private final long start = System.nanoTime();
  private long last = start;

  Progress(String what, OptionalLong total, Duration every) {
    this.what = what;
    this.total = total;
    this.terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    this.everyNanos = terminal ? Duration.ofMillis(250).toNanos() : every.toNanos();
  }

  void tick(long done, long bytes) {
    long now = System.nanoTime();
    if (now - last < everyNanos) {
      return;
    }
    last = now;
    String line = line(done, bytes, now);
    if (terminal) {
      out.print("\r" + line + "   ");
      out.flush();
    } else {
      LOG.info(line);
    }
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  void done() {
    if (terminal) {
      out.println();
    }
  }

  private String line(long done, long bytes, long now) {
    double secs = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / secs;
    String mb = String.format("%.1f MB/s", bytes / secs / 1e6);
    if (total.isEmpty() || total.getAsLong() <= 0) {
      return String.format("%s: %d records, %.0f rec/s, %s", what, done, rate, mb);
    }
    long t = total.getAsLong();
    double frac = Math.min(1.0, (double) done / t);
    String eta = rate > 0 ? String.format("ETA %.0f s", (t - done) / rate) : "ETA ?";
    if (!terminal) {
      return String.format("%s: %d/%d records (%.0f%%), %.0f rec/s, %s, %s", what, done, t, 100 * frac, rate, mb, eta);
    }
    int width = 30;
    int filled = (int) (frac * width);
    return String.format("%s [%s%s] %3.0f%% %d/%d %.0f rec/s %s %s", what, "#".repeat(filled),
        ".".repeat(width - filled), 100 * frac, done, t, rate, mb, eta);
  }
}
