package io.mnpipe.ingest.source;

import static io.mnpipe.ingest.source.SourceFixtures.drain;
import static io.mnpipe.ingest.source.SourceFixtures.randomBytes;
import static io.mnpipe.ingest.source.SourceFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated CIFAR-10 binary batches in; PNGs that decode to the exact pixels, labels and rejections out. */
class Cifar10BinaryTest {
  static final int RECORD = Cifar10Binary.RECORD;

  @TempDir
  Path dir;

  @Test
  void recordsBecomeLosslessPngsWithTheirLabels() throws IOException {
    Path batches = dir.resolve("cifar-10-batches-bin");
    byte[][] train = new byte[5][];
    for (int b = 0; b < 5; b++) {
      train[b] = batch(2, b * 2, 100 + b);
      write(batches.resolve("data_batch_" + (b + 1) + ".bin"), train[b]);
    }
    byte[] test = batch(3, 7, 200);
    test[RECORD] = 10; // record 1: not a CIFAR-10 label
    byte[] truncated = Arrays.copyOf(test, 3 * RECORD - 100); // record 2 cut short
    write(batches.resolve("test_batch.bin"), truncated);

    Cifar10Binary source = new Cifar10Binary("cifar10", dir);
    assertEquals(Cifar10Binary.STANDARD_CLASSES, source.classNames());
    assertEquals(10, source.expectedSize("train").getAsLong());
    assertEquals(3, source.expectedSize("val").getAsLong());

    List<Sample> samples = drain(source.samples("train"));
    assertEquals(10, samples.size());
    for (int i = 0; i < 10; i++) {
      Sample s = samples.get(i);
      assertEquals(String.format("data_batch_%d-%05d", i / 2 + 1, i % 2), s.key());
      assertEquals(i, s.label());
      assertEquals(Cifar10Binary.STANDARD_CLASSES.get(i), s.classId());
      assertEquals("cifar-10-batches-bin/data_batch_" + (i / 2 + 1) + ".bin:" + i % 2, s.source());
      assertPixels(train[i / 2], i % 2, s.image());
    }

    List<Sample> val = drain(source.samples("val"));
    assertEquals(3, val.size());
    assertPixels(test, 0, val.get(0).image());
    assertTrue(val.get(1).rejectReason().contains("label byte 10"), val.get(1).rejectReason());
    assertEquals("test_batch-00002", val.get(2).key());
    assertTrue(val.get(2).rejectReason().contains("truncated record: 2973 of 3073 bytes"), val.get(2).rejectReason());
  }

  @Test
  void classNamesFromMetaAndMissingBatchesNamed() {
    write(dir.resolve("test_batch.bin"), batch(1, 3, 1));
    write(dir.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
    Cifar10Binary source = new Cifar10Binary(null, dir);
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), source.classNames());
    assertEquals("d", drain(source.samples("val")).get(0).classId());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.samples("train"));
    assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Cifar10Binary(null, dir.resolve("nope")));
  }

  /** {@code n} random records labelled firstLabel, firstLabel + 1, ... */
  static byte[] batch(int n, int firstLabel, long seed) {
    byte[] b = randomBytes(n * RECORD, seed);
    for (int i = 0; i < n; i++) {
      b[i * RECORD] = (byte) (firstLabel + i);
    }
    return b;
  }

  private static void assertPixels(byte[] batch, int record, byte[] png) throws IOException {
    assertFalse(png.length == 0);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(32, img.getWidth());
    assertEquals(32, img.getHeight());
    int base = record * RECORD + 1;
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        int i = y * 32 + x;
        int expected = (batch[base + i] & 0xff) << 16 | (batch[base + 1024 + i] & 0xff) << 8
            | (batch[base + 2048 + i] & 0xff);
        assertEquals(expected, img.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
      }
    }
  }
}
