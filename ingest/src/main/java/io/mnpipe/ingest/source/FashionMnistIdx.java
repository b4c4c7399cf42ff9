package io.mnpipe.ingest.source;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST IDX files in ({@code fashion-mnist:DIR}), one lossless grayscale PNG per image out
 * (28x28, or whatever size the IDX header gives, so MNIST itself works too).
 *
 * <p>DIR holds {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte} (train) and the
 * {@code t10k-} pair (val), each gzipped or not (detected from the bytes, not the name); Debian's
 * {@code dataset-fashion-mnist} installs them in /usr/share/datasets/fashion-mnist. Headers are
 * checked when a split is opened: a wrong magic or an image count that differs from the label
 * count is a broken dataset and fails with both file names. Keys are {@code train-00000} and
 * {@code t10k-00000} style.
 */
public final class FashionMnistIdx implements DatasetSource {
  /** The dataset's label order, spelled to suit topic names and keys ("T-shirt/top" is tshirt_top). */
  public static final List<String> CLASSES = List.of("tshirt_top", "trouser", "pullover", "dress", "coat", "sandal",
      "shirt", "sneaker", "bag", "ankle_boot");
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  private final String name;
  private final Path dir;

  /**
   * Checks that DIR holds IDX files; their headers are read by {@link #samples} and {@link #expectedSize}.
   *
   * @param name dataset name for topics and the manifest; null for "fashion-mnist"
   * @throws IllegalArgumentException when DIR is missing or holds neither the train nor the t10k images
   */
  public FashionMnistIdx(String name, Path dir) {
    this.name = name == null ? "fashion-mnist" : name;
    this.dir = dir;
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("Fashion-MNIST directory " + dir + " does not exist or is not a directory");
    }
    if (find("train", "images", 3) == null && find("t10k", "images", 3) == null) {
      throw new IllegalArgumentException("no Fashion-MNIST files in " + dir + ": expected "
          + "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] and the t10k- pair "
          + "(Debian: apt install dataset-fashion-mnist)");
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "fashion-mnist:" + dir;
  }

  @Override
  public List<String> classNames() {
    return CLASSES;
  }

  /** The count from the headers (both are checked). */
  @Override
  public OptionalLong expectedSize(String split) {
    try (Opened o = open(split)) {
      return OptionalLong.of(o.count);
    }
  }

  @Override
  public Iterator<Sample> samples(String split) {
    return new ImageIterator(open(split));
  }

  private static String prefix(String split) {
    return switch (split) {
      case "train" -> "train";
      case "val" -> "t10k";
      default -> throw new IllegalArgumentException("Fashion-MNIST split must be train or val, got '" + split + "'");
    };
  }

  /** The IDX file of one kind, under the names it is distributed with, or null. */
  private Path find(String prefix, String kind, int dims) {
    for (String sep : List.of("-", ".")) {
      for (String ext : List.of("", ".gz")) {
        Path p = dir.resolve(prefix + "-" + kind + sep + "idx" + dims + "-ubyte" + ext);
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** Both files of a split, open and positioned after their headers. */
  private final class Opened implements AutoCloseable {
    final String prefix;
    final Path imagesFile;
    final DataInputStream images;
    final DataInputStream labels;
    int count;
    int rows;
    int cols;

    Opened(String prefix, Path imagesFile, DataInputStream images, DataInputStream labels) {
      this.prefix = prefix;
      this.imagesFile = imagesFile;
      this.images = images;
      this.labels = labels;
    }

    @Override
    public void close() {
      closeQuietly(images);
      closeQuietly(labels);
    }
  }

  /** Opens a split and checks both headers; a bad header is a broken dataset, not a bad sample. */
  private Opened open(String split) {
    String prefix = prefix(split);
    Path imagesFile = find(prefix, "images", 3);
    Path labelsFile = find(prefix, "labels", 1);
    if (imagesFile == null || labelsFile == null) {
      throw new IllegalArgumentException("Fashion-MNIST " + split + " needs " + prefix + "-images-idx3-ubyte[.gz] and "
          + prefix + "-labels-idx1-ubyte[.gz] in " + dir + "; " + (imagesFile == null ? "the images" : "the labels")
          + " file is missing");
    }
    DataInputStream images = null;
    DataInputStream labels = null;
    try {
      images = stream(imagesFile);
      labels = stream(labelsFile);
      Opened o = new Opened(prefix, imagesFile, images, labels);
      expectMagic(images, IMAGES_MAGIC, imagesFile);
      expectMagic(labels, LABELS_MAGIC, labelsFile);
      o.count = images.readInt();
      o.rows = images.readInt();
      o.cols = images.readInt();
      int labelCount = labels.readInt();
      if (o.count != labelCount) {
        throw new IllegalArgumentException(imagesFile + " holds " + o.count + " images but " + labelsFile + " holds "
            + labelCount + " labels; the two files come from different downloads");
      }
      if (o.count < 0 || o.rows <= 0 || o.cols <= 0 || (long) o.rows * o.cols > 1 << 24) {
        throw new IllegalArgumentException(imagesFile + " has a bad header: " + o.count + " images of " + o.rows + "x"
            + o.cols);
      }
      return o;
    } catch (IOException | IllegalArgumentException e) {
      closeQuietly(images);
      closeQuietly(labels);
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("cannot read the IDX headers of " + imagesFile + " and " + labelsFile + ": "
          + e + "; download them again", e);
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // read-only file; nothing is lost
      }
    }
  }

  private static void expectMagic(DataInputStream in, int magic, Path file) throws IOException {
    int got = in.readInt();
    if (got != magic) {
      throw new IllegalArgumentException(String.format("%s is not an IDX %s file: magic 0x%08x, expected 0x%08x; "
          + "is it the right file, fully downloaded?", file, magic == IMAGES_MAGIC ? "images" : "labels", got, magic));
    }
  }

  /** The file's bytes, gunzipped when they start with the gzip magic whatever the name says. */
  private static DataInputStream stream(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in);
  }

  /** Reads image and label in step; also {@link AutoCloseable}, to stop early. */
  private final class ImageIterator implements Iterator<Sample>, AutoCloseable {
    private final Opened o;
    private final PngEncoder png = new PngEncoder();
    private final byte[] pixels;
    private int index;
    private boolean stopped;

    ImageIterator(Opened o) {
      this.o = o;
      this.pixels = new byte[o.rows * o.cols];
    }

    @Override
    public boolean hasNext() {
      if (!stopped && index >= o.count) {
        close();
      }
      return !stopped;
    }

    @Override
    public Sample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String key = String.format("%s-%05d", o.prefix, index);
      String source = dir.relativize(o.imagesFile) + ":" + index;
      index++;
      try {
        int n = o.images.readNBytes(pixels, 0, pixels.length);
        int label = o.labels.read();
        if (n < pixels.length || label < 0) {
          close();
          return Sample.rejected(key, source, "file ends after " + (index - 1) + " of the " + o.count + " images its "
              + "header promises; download it again", null);
        }
        if (label >= CLASSES.size()) {
          return Sample.rejected(key, source, "label " + label + " is not a Fashion-MNIST class (0..9)", null);
        }
        return new Sample(key, label, CLASSES.get(label), png.gray(o.cols, o.rows, pixels), source);
      } catch (IOException e) {
        close();
        return Sample.rejected(key, source, "unreadable: " + e.getMessage() + "; the rest of this split is skipped",
            null);
      }
    }

    @Override
    public void close() {
      stopped = true;
      o.close();
    }
  }
}
