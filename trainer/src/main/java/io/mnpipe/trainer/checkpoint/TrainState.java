package io.mnpipe.trainer.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a checkpoint holds beside weights and metadata so that its run can go on exactly where it
 * was: the input it read and, per partition, the offset of the first record not yet in a trained
 * batch; the LR schedule (peak, warmup, horizon; its position is the step). Kept in
 * {@code train-state.properties}; the optimizer's momentum lies beside it in {@code optimizer.ndlist}.
 *
 * @param source what the run reads (the samples topic)
 * @param offsets partition -> offset where the next batch starts
 * @param peakLr learning rate after warmup
 * @param warmupSteps linear warmup steps
 * @param scheduleSteps step at which the cosine reaches 0; 0 = unknown (constant after warmup)
 */
public record TrainState(String source, SortedMap<Integer, Long> offsets, double peakLr, int warmupSteps,
    long scheduleSteps) {
  public static final String FILE = "train-state.properties";
  public static final String OPTIMIZER_FILE = "optimizer.ndlist";
  private static final String OFFSET = "offset.";

  public TrainState {
    offsets = Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
  }

  /** Writes the properties form to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    Properties p = new Properties();
    p.setProperty("source", source);
    p.setProperty("peakLr", String.valueOf(peakLr));
    p.setProperty("warmupSteps", String.valueOf(warmupSteps));
    p.setProperty("scheduleSteps", String.valueOf(scheduleSteps));
    offsets.forEach((part, off) -> p.setProperty(OFFSET + part, String.valueOf(off)));
    p.store(out, "mnpipe trainer resume state: the next batch starts at offset.<partition>");
  }

  /** The state of the checkpoint in {@code dir}; a message naming the way out if it has none. */
  public static TrainState read(Path dir) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(FILE))) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("checkpoint " + dir + " holds no resume state (" + FILE + "): it was written"
          + " by an older trainer; start the run over (--fresh) or use another --run-id");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(FILE), e);
    }
    try {
      SortedMap<Integer, Long> offsets = new TreeMap<>();
      for (String k : p.stringPropertyNames()) {
        if (k.startsWith(OFFSET)) {
          offsets.put(Integer.parseInt(k.substring(OFFSET.length())), Long.parseLong(p.getProperty(k)));
        }
      }
      return new TrainState(p.getProperty("source", ""), offsets, Double.parseDouble(p.getProperty("peakLr")),
          Integer.parseInt(p.getProperty("warmupSteps")), Long.parseLong(p.getProperty("scheduleSteps")));
    } catch (RuntimeException e) {
      throw new IllegalStateException("resume state " + dir.resolve(FILE) + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Offsets as {@code p0=12,p1=7}, for log lines. */
  public static String describe(Map<Integer, Long> offsets) {
    StringBuilder s = new StringBuilder();
    offsets.forEach((p, o) -> s.append(s.isEmpty() ? "" : ",").append('p').append(p).append('=').append(o));
    return s.isEmpty() ? "the beginning" : s.toString();
  }
}
