package io.mnpipe.preprocess.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A directory and a size in, an ILSVRC2012-layout tree of generated photos out
 * ({@code train/<wnid>/<wnid>_<i>.JPEG}, {@code val/<wnid>/...}), each file as
 * {@link DecodeBenchmark#generate} makes them (~500x375, ~110 KB), plus broken files in train:
 * truncated JPEGs (the preprocess job dead-letters them) and files that are no image at all
 * (ingest refuses them). For runs and benchmarks at ImageNet's file sizes without ImageNet.
 */
public final class SyntheticImageNet {
  private SyntheticImageNet() {}

  /** What was written: images per split and broken files of each kind. */
  public record Tree(Path root, int classes, int train, int val, int truncated, int notImages) {}

  /**
   * @param broken broken files added to train, half truncated JPEGs, half not images (rounded up to truncated)
   */
  public static Tree write(Path root, int classes, int trainPerClass, int valPerClass, int broken, long seed)
      throws IOException {
    if (classes < 2 || trainPerClass < 1 || valPerClass < 0 || broken < 0) {
      throw new IllegalArgumentException("need >= 2 classes and >= 1 train image per class, got " + classes + " x "
          + trainPerClass);
    }
    for (int c = 0; c < classes; c++) {
      Files.createDirectories(root.resolve("train").resolve(wnid(c)));
      if (valPerClass > 0) {
        Files.createDirectories(root.resolve("val").resolve(wnid(c)));
      }
    }
    int perClass = trainPerClass + valPerClass;
    // Encoding a photo takes ~10 ms: every core helps.
    IntStream.range(0, classes * perClass).parallel().forEach(i -> {
      int c = i / perClass;
      int j = i % perClass;
      boolean train = j < trainPerClass;
      Path file = root.resolve(train ? "train" : "val").resolve(wnid(c))
          .resolve(String.format(Locale.ROOT, "%s_%d.JPEG", wnid(c), train ? j : j - trainPerClass));
      write(file, photo(seed, i));
    });
    int truncated = (broken + 1) / 2;
    for (int b = 0; b < broken; b++) {
      Path file = root.resolve("train").resolve(wnid(b % classes))
          .resolve(String.format(Locale.ROOT, "%s_broken_%d.JPEG", wnid(b % classes), b));
      byte[] bytes;
      if (b < truncated) {
        byte[] whole = photo(seed, -1 - b);
        bytes = Arrays.copyOf(whole, whole.length * 2 / 5);
      } else {
        bytes = new byte[4096];
        new SplittableRandom(seed + b).nextBytes(bytes);
      }
      write(file, bytes);
    }
    return new Tree(root, classes, classes * trainPerClass, classes * valPerClass, truncated, broken - truncated);
  }

  /** Class {@code c}'s wnid-like directory name: n00000000, n00000001, ... */
  public static String wnid(int c) {
    return String.format(Locale.ROOT, "n%08d", c);
  }

  private static byte[] photo(long seed, int i) {
    return DecodeBenchmark.imageNetLikeJpeg(seed, i);
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}
