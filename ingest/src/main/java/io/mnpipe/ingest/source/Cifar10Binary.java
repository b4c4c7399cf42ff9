package io.mnpipe.ingest.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The CIFAR-10 binary batches in ({@code cifar10:DIR}), one lossless 32x32 RGB PNG per record out,
 * so every record downstream is an encoded image like any other dataset's.
 *
 * <p>DIR is the directory the "CIFAR-10 binary version" tarball unpacks into, or the
 * {@code cifar-10-batches-bin/} inside it: {@code data_batch_1..5.bin} are train,
 * {@code test_batch.bin} is val. Each record is 1 label byte and 3072 pixel bytes (1024 R, 1024 G,
 * 1024 B, row-major). Class names come from {@code batches.meta.txt}, else the standard ten. Keys
 * are {@code <batch file stem>-<record index, 5 digits>}, e.g. {@code data_batch_1-00042}.
 */
public final class Cifar10Binary implements DatasetSource {
  /** The dataset's own label order, as batches.meta.txt lists it. */
  public static final List<String> STANDARD_CLASSES =
      List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
  static final int SIDE = 32;
  static final int PIXELS = SIDE * SIDE;
  static final int RECORD = 1 + 3 * PIXELS;
  private static final String SUBDIR = "cifar-10-batches-bin";

  private final String name;
  private final Path dir;
  private final Path batches;
  private final List<String> classNames;

  /**
   * Finds the batches and reads the class names; the records are read only by {@link #samples}.
   *
   * @param name dataset name for topics and the manifest; null for "cifar10"
   * @throws IllegalArgumentException when {@code dir} holds no CIFAR-10 binary batches
   */
  public Cifar10Binary(String name, Path dir) {
    this.name = name == null ? "cifar10" : name;
    this.dir = dir;
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("CIFAR-10 directory " + dir + " does not exist or is not a directory");
    }
    this.batches = Files.isDirectory(dir.resolve(SUBDIR)) ? dir.resolve(SUBDIR) : dir;
    if (!Files.isRegularFile(batches.resolve("data_batch_1.bin"))
        && !Files.isRegularFile(batches.resolve("test_batch.bin"))) {
      String hint = Files.exists(batches.resolve("data_batch_1")) ? " (data_batch_1 without .bin is the Python "
          + "pickle version; download the binary version, cifar-10-binary.tar.gz)" : "";
      throw new IllegalArgumentException("no CIFAR-10 binary batches in " + batches + ": expected data_batch_1.bin .. "
          + "data_batch_5.bin and test_batch.bin" + hint);
    }
    this.classNames = readClassNames(batches.resolve("batches.meta.txt"));
  }

  private static List<String> readClassNames(Path meta) {
    if (!Files.isRegularFile(meta)) {
      return STANDARD_CLASSES;
    }
    List<String> names = ClassLists.lines(meta).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (names.size() != STANDARD_CLASSES.size()) {
      throw new IllegalArgumentException(meta + " names " + names.size() + " classes, CIFAR-10 has 10; fix or "
          + "delete it to use the standard names");
    }
    return names;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "cifar10:" + dir;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  /** Records per split from the file sizes; a truncated tail counts, as it comes out as a rejection. */
  @Override
  public OptionalLong expectedSize(String split) {
    long n = 0;
    for (Path f : files(split)) {
      try {
        n += (Files.size(f) + RECORD - 1) / RECORD;
      } catch (IOException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(n);
  }

  /** The batch files of a split, in order. */
  List<Path> files(String split) {
    List<String> names = switch (split) {
      case "train" -> List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
          "data_batch_5.bin");
      case "val" -> List.of("test_batch.bin");
      default -> throw new IllegalArgumentException("CIFAR-10 split must be train or val, got '" + split + "'");
    };
    List<Path> files = new ArrayList<>();
    for (String n : names) {
      Path f = batches.resolve(n);
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("CIFAR-10 " + split + " needs " + f + ", which is missing; unpack "
            + "cifar-10-binary.tar.gz again");
      }
      files.add(f);
    }
    return files;
  }

  @Override
  public Iterator<Sample> samples(String split) {
    return new RecordIterator(files(split));
  }

  /** Reads the batches record by record; also {@link AutoCloseable}, to stop early. */
  private final class RecordIterator extends LookaheadIterator {
    private final Iterator<Path> files;
    private final PngEncoder png = new PngEncoder();
    private final byte[] record = new byte[RECORD];
    private Path file;
    private InputStream in;
    private int index;

    RecordIterator(List<Path> files) {
      this.files = files.iterator();
    }

    @Override
    protected boolean advance() {
      if (in == null && !open()) {
        return false;
      }
      if (in != null) {
        pending = read();
      }
      return true;
    }

    @Override
    public void close() {
      closeFile();
      while (files.hasNext()) {
        files.next();
      }
    }

    /** Opens the next batch, or leaves a rejection in pending for one that cannot be opened. */
    private boolean open() {
      if (!files.hasNext()) {
        return false;
      }
      file = files.next();
      index = 0;
      try {
        in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      } catch (IOException e) {
        pending = Sample.rejected(stem() + "-", source(), "cannot open batch: " + e.getMessage(), null);
      }
      return true;
    }

    /** The next record of the open batch, or null at its end (the batch is then closed). */
    private Sample read() {
      String key = String.format("%s-%05d", stem(), index);
      String source = source() + ":" + index;
      try {
        int n = in.readNBytes(record, 0, RECORD);
        if (n == 0) {
          closeFile();
          return null;
        }
        index++;
        if (n < RECORD) {
          closeFile();
          return Sample.rejected(key, source, "truncated record: " + n + " of " + RECORD + " bytes; the batch file "
              + "is cut short, unpack it again", Arrays.copyOf(record, n));
        }
        int label = record[0] & 0xff;
        if (label >= classNames.size()) {
          return Sample.rejected(key, source, "label byte " + label + " is not a CIFAR-10 class (0..9); is this "
              + "CIFAR-100, which has 2 label bytes per record?", null);
        }
        return new Sample(key, label, classNames.get(label), png.rgb(SIDE, SIDE, interleave(record)), source);
      } catch (IOException e) {
        closeFile();
        return Sample.rejected(key, source, "unreadable: " + e.getMessage() + "; the rest of this batch is skipped",
            null);
      }
    }

    private String stem() {
      return file.getFileName().toString().replaceFirst("\\.bin$", "");
    }

    private String source() {
      return dir.relativize(file).toString();
    }

    private void closeFile() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // nothing more is read from it
        }
        in = null;
      }
    }
  }

  /** CIFAR's R, G and B planes (after the label byte) as interleaved RGB pixels. */
  static byte[] interleave(byte[] record) {
    byte[] rgb = new byte[3 * PIXELS];
    for (int i = 0; i < PIXELS; i++) {
      rgb[3 * i] = record[1 + i];
      rgb[3 * i + 1] = record[1 + PIXELS + i];
      rgb[3 * i + 2] = record[1 + 2 * PIXELS + i];
    }
    return rgb;
  }
}
