package io.mnpipe.trainer;

import io.mnpipe.models.input.SampleBatch;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Trained batches in, {@code trained-keys.log} lines out: {@code <step> <epoch> <key>} per sample,
 * tab-separated, written and flushed right after the step and before its checkpoint, so after a
 * kill -9 the file lists every batch that was trained (a batch killed mid-step may be missing, never
 * one that a checkpoint covers). Each attempt of the run starts with a line
 * {@code # attempt resumed-from <step>}. A test and debugging aid ({@link TrainerConfig#traceKeys()}).
 */
final class KeyTrace implements AutoCloseable {
  static final String FILE = "trained-keys.log";
  private final Writer out;

  private KeyTrace(Writer out) {
    this.out = out;
  }

  /** Opens the trace of {@code runDir} for appending, or returns null when tracing is off. */
  static KeyTrace open(TrainerConfig config, long resumedFrom) {
    if (!config.traceKeys()) {
      return null;
    }
    Path file = config.runDir().resolve(FILE);
    try {
      boolean cutShort = Files.exists(file) && Files.size(file) > 0 && lastByte(file) != '\n';
      Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND), 1 << 16);
      // A line cut short by a kill stays on its own line, unparseable, instead of spoiling the next.
      w.write((cutShort ? "\n" : "") + "# attempt resumed-from " + resumedFrom + "\n");
      w.flush();
      return new KeyTrace(w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open key trace " + file, e);
    }
  }

  private static int lastByte(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      f.seek(f.length() - 1);
      return f.read();
    }
  }

  /** Appends the batch trained as step {@code step} and flushes it to the OS. */
  void trained(long step, SampleBatch b) {
    try {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < b.size(); i++) {
        s.append(step).append('\t').append(b.epochs().length > 0 ? b.epochs()[i] : b.epoch()).append('\t')
            .append(b.keys().length > 0 ? b.keys()[i] : "?").append('\n');
      }
      out.write(s.toString());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to key trace", e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      // a trace is a debugging aid: losing its tail must not fail the run
    }
  }
}
