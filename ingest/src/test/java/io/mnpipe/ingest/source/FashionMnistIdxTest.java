package io.mnpipe.ingest.source;

import static io.mnpipe.ingest.source.SourceFixtures.drain;
import static io.mnpipe.ingest.source.SourceFixtures.randomBytes;
import static io.mnpipe.ingest.source.SourceFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated IDX files (plain and gzipped) and Debian's real Fashion-MNIST in; exact grayscale PNGs out. */
class FashionMnistIdxTest {
  static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir
  Path dir;

  @Test
  void plainAndGzippedIdxBecomeExactGrayscalePngs() throws IOException {
    // 4 rows x 5 columns, so a swapped width and height would show.
    byte[] trainPixels = randomBytes(3 * 20, 1);
    write(dir.resolve("train-images-idx3-ubyte"), images(3, 4, 5, trainPixels));
    write(dir.resolve("train-labels-idx1-ubyte"), labels(new byte[] {9, 0, 3}));
    byte[] valPixels = randomBytes(2 * 20, 2);
    write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(2, 4, 5, valPixels)));
    write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(new byte[] {1, 12})));

    FashionMnistIdx source = new FashionMnistIdx("fashion-mnist", dir);
    assertEquals(3, source.expectedSize("train").getAsLong());
    List<Sample> train = drain(source.samples("train"));
    assertEquals(List.of("train-00000", "train-00001", "train-00002"), train.stream().map(Sample::key).toList());
    assertEquals(List.of(9, 0, 3), train.stream().map(Sample::label).toList());
    assertEquals(List.of("ankle_boot", "tshirt_top", "dress"), train.stream().map(Sample::classId).toList());
    for (int i = 0; i < 3; i++) {
      assertPixels(Arrays.copyOfRange(trainPixels, i * 20, i * 20 + 20), 5, 4, train.get(i).image());
    }

    List<Sample> val = drain(source.samples("val"));
    assertEquals("t10k-00000", val.get(0).key());
    assertEquals("trouser", val.get(0).classId());
    assertPixels(Arrays.copyOfRange(valPixels, 0, 20), 5, 4, val.get(0).image());
    assertTrue(val.get(1).rejectReason().contains("label 12"), val.get(1).rejectReason());
  }

  @Test
  void brokenHeadersFailAtOpenAndATruncatedFileIsRejected() throws IOException {
    write(dir.resolve("train-images-idx3-ubyte"), images(3, 2, 2, randomBytes(12, 3)));
    write(dir.resolve("train-labels-idx1-ubyte"), labels(new byte[] {1, 2}));
    FashionMnistIdx source = new FashionMnistIdx("f", dir);
    IllegalArgumentException counts = assertThrows(IllegalArgumentException.class, () -> source.samples("train"));
    assertTrue(counts.getMessage().contains("3 images but") && counts.getMessage().contains("2 labels"),
        counts.getMessage());

    write(dir.resolve("train-labels-idx1-ubyte"), images(3, 2, 2, randomBytes(12, 3)));
    IllegalArgumentException magic = assertThrows(IllegalArgumentException.class, () -> source.samples("train"));
    assertTrue(magic.getMessage().contains("train-labels-idx1-ubyte is not an IDX labels file"), magic.getMessage());

    byte[] whole = images(3, 2, 2, randomBytes(12, 3));
    write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(whole, whole.length - 2));
    write(dir.resolve("train-labels-idx1-ubyte"), labels(new byte[] {1, 2, 3}));
    List<Sample> samples = drain(source.samples("train"));
    assertEquals(3, samples.size());
    assertFalse(samples.get(1).isRejected());
    assertTrue(samples.get(2).rejectReason().contains("file ends after 2 of the 3 images"),
        samples.get(2).rejectReason());

    assertThrows(IllegalArgumentException.class, () -> source.samples("val"), "no t10k files");
    assertThrows(IllegalArgumentException.class, () -> new FashionMnistIdx("f", dir.resolve("none")));
  }

  @Test
  void readsDebiansFashionMnist() throws IOException {
    assumeTrue(Files.isDirectory(DEBIAN), DEBIAN + " is absent; apt install dataset-fashion-mnist to run this test");
    FashionMnistIdx source = new FashionMnistIdx("fashion-mnist", DEBIAN);
    assertEquals(60_000, source.expectedSize("train").getAsLong());
    assertEquals(10_000, source.expectedSize("val").getAsLong());
    for (String split : List.of("train", "val")) {
      int n = 0;
      int[] perClass = new int[10];
      Iterator<Sample> it = source.samples(split);
      while (it.hasNext()) {
        Sample s = it.next();
        assertFalse(s.isRejected(), s.key() + ": " + s.rejectReason());
        perClass[s.label()]++;
        if (n < 3) {
          BufferedImage img = ImageIO.read(new ByteArrayInputStream(s.image()));
          assertEquals(28, img.getWidth());
          assertEquals(28, img.getHeight());
        }
        n++;
      }
      assertEquals(split.equals("train") ? 60_000 : 10_000, n);
      int balanced = n / 10; // Fashion-MNIST has exactly as many images of each class
      assertTrue(Arrays.stream(perClass).allMatch(c -> c == balanced), Arrays.toString(perClass));
    }
  }

  static byte[] images(int count, int rows, int cols, byte[] pixels) {
    return ByteBuffer.allocate(16 + pixels.length).putInt(FashionMnistIdx.IMAGES_MAGIC).putInt(count).putInt(rows)
        .putInt(cols).put(pixels).array();
  }

  static byte[] labels(byte[] labels) {
    return ByteBuffer.allocate(8 + labels.length).putInt(FashionMnistIdx.LABELS_MAGIC).putInt(labels.length)
        .put(labels).array();
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(bytes);
    }
    return out.toByteArray();
  }

  private static void assertPixels(byte[] expected, int width, int height, byte[] png) throws IOException {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(width, img.getWidth());
    assertEquals(height, img.getHeight());
    assertEquals(1, img.getRaster().getNumBands(), "grayscale");
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        assertEquals(expected[y * width + x] & 0xff, img.getRaster().getSample(x, y, 0), "pixel " + x + "," + y);
      }
    }
  }
}
