package io.mnpipe.ingest.source;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Small helpers the source tests share: draining iterators, writing files, making images. */
final class SourceFixtures {
  private SourceFixtures() {}

  /** Every sample of an iterator, closing it if it can be closed. */
  static List<Sample> drain(Iterator<Sample> it) {
    List<Sample> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    if (it instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** Samples by key, in iteration order. */
  static Map<String, Sample> byKey(List<Sample> samples) {
    Map<String, Sample> m = new LinkedHashMap<>();
    for (Sample s : samples) {
      if (m.put(s.key(), s) != null) {
        throw new AssertionError("duplicate key " + s.key());
      }
    }
    return m;
  }

  static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    return write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A small JPEG whose content depends on {@code seed}. */
  static byte[] jpeg(int seed) {
    return SyntheticDataset.jpeg(image(seed, BufferedImage.TYPE_3BYTE_BGR));
  }

  static byte[] png(int seed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image(seed, BufferedImage.TYPE_INT_RGB), "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static BufferedImage image(int seed, int type) {
    SplittableRandom rng = new SplittableRandom(seed);
    BufferedImage img = new BufferedImage(24, 16, type);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, rng.nextInt(1 << 24));
      }
    }
    return img;
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }
}
