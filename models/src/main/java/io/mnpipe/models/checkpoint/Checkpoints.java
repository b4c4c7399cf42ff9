package io.mnpipe.models.checkpoint;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.quant.Quantization;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A model and its metadata in, a checkpoint directory out, and back: {@code <runDir>/step-000000123/}
 * holding DJL parameters ({@code model-0000.params}), {@code checkpoint.properties} and whatever
 * extra files the trainer adds (resume state, optimizer, effective config). Written in a hidden temp
 * directory, fsynced, then renamed, so a reader never sees half a checkpoint.
 */
public final class Checkpoints {
  public static final String META_FILE = "checkpoint.properties";
  public static final String CONFIG_FILE = "config.properties";
  public static final String PARAMS_PREFIX = "model";

  private Checkpoints() {}

  /** Writes one extra file of a checkpoint. */
  @FunctionalInterface
  public interface Payload {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Directory name of the checkpoint at {@code step}; zero-padded so names sort by step. */
  public static String dirName(long step) {
    return String.format("step-%09d", step);
  }

  /** Writes the checkpoint atomically and durably under {@code runDir}; returns it. */
  public static Checkpoint write(Path runDir, Model model, CheckpointMeta meta) {
    return write(runDir, model, meta, Map.of());
  }

  /** As {@link #write(Path, Model, CheckpointMeta)}, with extra files (name -> content) in the same rename. */
  public static Checkpoint write(Path runDir, Model model, CheckpointMeta meta, Map<String, Payload> extras) {
    Path target = runDir.resolve(dirName(meta.step()));
    Path tmp = runDir.resolve("." + dirName(meta.step()) + ".tmp-" + System.nanoTime());
    try {
      Files.createDirectories(runDir);
      if (Files.exists(target)) {
        throw new IllegalStateException("checkpoint " + target + " already exists; use a new runId or delete it");
      }
      Files.createDirectories(tmp);
      model.save(tmp, PARAMS_PREFIX);
      for (Map.Entry<String, Payload> e : extras.entrySet()) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(e.getKey())))) {
          e.getValue().writeTo(out);
        }
      }
      // The metadata goes last: list() takes a folder with it for a whole checkpoint.
      writeProperties(tmp.resolve(META_FILE), meta.toProperties(), "mnpipe checkpoint");
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          fsync(f, false);
        }
      }
      fsync(tmp, true);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsync(runDir, true);
      return new Checkpoint(target, meta);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes a run's effective configuration beside its checkpoints (replacing any earlier one). */
  public static void writeRunConfig(Path runDir, Map<String, String> config) {
    Properties p = new Properties();
    p.putAll(config);
    try {
      Files.createDirectories(runDir);
      Path tmp = runDir.resolve("." + CONFIG_FILE + ".tmp");
      writeProperties(tmp, p, "mnpipe trainer effective configuration");
      fsync(tmp, false);
      Files.move(tmp, runDir.resolve(CONFIG_FILE), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write run configuration in " + runDir, e);
    }
  }

  /** The metadata of the checkpoint in {@code dir}. */
  public static CheckpointMeta readMeta(Path dir) {
    Path file = dir.resolve(META_FILE);
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("no readable checkpoint at " + dir + " (" + META_FILE + " missing?)", e);
    }
    return CheckpointMeta.fromProperties(p, file.toString());
  }

  /** Checkpoint directories of a run, oldest step first. */
  public static List<Path> list(Path runDir) {
    if (!Files.isDirectory(runDir)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runDir)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("step-") && Files.isRegularFile(d.resolve(META_FILE)))
          .sorted(Comparator.comparing(d -> d.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest checkpoint of a run, if it has one. */
  public static Optional<Path> latest(Path runDir) {
    List<Path> all = list(runDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Starts a run folder over without deleting anything: its checkpoints, run config and key trace
   * move into {@code <runDir>/replaced-<time>/}, where {@link #list} no longer sees them.
   *
   * @return the folder they moved to, or null when there was nothing to move
   */
  public static Path moveAside(Path runDir) {
    if (!Files.isDirectory(runDir)) {
      return null;
    }
    try (Stream<Path> entries = Files.list(runDir)) {
      List<Path> old = entries.filter(f -> {
        String n = f.getFileName().toString();
        return n.startsWith("step-") || n.equals(CONFIG_FILE) || n.endsWith(".log");
      }).toList();
      if (old.isEmpty()) {
        return null;
      }
      Path aside = runDir.resolve("replaced-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      Files.createDirectories(aside);
      for (Path f : old) {
        Files.move(f, aside.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      }
      fsync(runDir, true);
      return aside;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the old checkpoints of " + runDir + " aside", e);
    }
  }

  /** Loads the checkpoint in {@code dir} on the engine's default device (a GPU where there is one). */
  public static Loaded load(Path dir) {
    return load(dir, Engine.getInstance().defaultDevice());
  }

  /**
   * Rebuilds the model's block from the metadata and loads the saved parameters into it. A QAT
   * checkpoint loads into the model's QAT form, set to simulated int8 evaluation.
   */
  public static Loaded load(Path dir, Device device) {
    CheckpointMeta meta = readMeta(dir);
    Model model = Model.newInstance(meta.model(), device);
    try {
      model.setBlock(MobileNets.create(meta.model(), meta.numClasses(), meta.quantized()));
      model.load(dir, PARAMS_PREFIX);
      if (meta.quantized()) {
        Quantization.configure(model.getBlock(), Quantization.Mode.INT8_EVAL);
        Quantization.freezeBatchNorm(model.getBlock(), meta.bnFrozen());
      }
      return new Loaded(model, meta);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalStateException("cannot load checkpoint " + dir + " (" + meta.model() + ", "
          + meta.numClasses() + " classes): " + e.getMessage(), e);
    }
  }

  /** A loaded checkpoint; closing it frees the model's memory. */
  public record Loaded(Model model, CheckpointMeta meta) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  private static void writeProperties(Path file, Properties p, String comment) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, comment);
    }
  }

  /** Forces a file's (or directory's entries') bytes to disk, so a rename never outlives its data. */
  private static void fsync(Path path, boolean directory) throws IOException {
    try (FileChannel ch = FileChannel.open(path, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e; // some filesystems refuse to sync directories; files must sync
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover hidden temp dir is ignored by readers
    }
  }
}
