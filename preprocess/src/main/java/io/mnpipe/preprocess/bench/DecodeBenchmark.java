package io.mnpipe.preprocess.bench;

import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.augment.PresetDecoder;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.preprocess.image.ImageHeader;
import io.mnpipe.preprocess.image.ScaleFactor;
import io.mnpipe.preprocess.image.UndecodableImageException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A directory of images in, single-thread throughput out: decode + train-preset augmentation
 * (what the Flink job does per record) against a full-size libjpeg-turbo decode of the same
 * files (the djpeg-equivalent baseline), measured in the same run in alternating slices so load
 * from other processes hits both alike; optionally the {@code djpeg} binary too. Pure: no CLI,
 * no output; {@link #generate} writes ImageNet-like JPEGs for users without ImageNet.
 */
public final class DecodeBenchmark {
  private static final long SLICE_NANOS = 200_000_000L;

  private DecodeBenchmark() {}

  /**
   * @param images a directory searched recursively for .jpg/.jpeg/.png (any case)
   * @param size output side of the train preset (224 for ImageNet)
   * @param warmup time spent before measuring (JIT, caches)
   * @param measure time measured, split evenly between the two loops
   * @param maxImages at most this many files are loaded (sorted by path)
   * @param djpeg also time the djpeg binary if it is on PATH
   */
  public record Config(Path images, int size, Duration warmup, Duration measure, int maxImages, boolean djpeg) {
    public Config {
      if (size < 8 || maxImages < 1 || warmup.isNegative() || measure.isZero() || measure.isNegative()) {
        throw new IllegalArgumentException("bad decode benchmark config: size " + size + ", maxImages " + maxImages
            + ", warmup " + warmup + ", measure " + measure);
      }
    }

    /** 224 px, 3 s warm-up, 10 s measured, up to 5000 images, djpeg if present. */
    public static Config of(Path images) {
      return new Config(images, 224, Duration.ofSeconds(3), Duration.ofSeconds(10), 5000, true);
    }
  }

  /**
   * @param images files decoded in the loops (undecodable ones are left out and counted in skipped)
   * @param imagesPerS decode + train augmentation, images per second on one thread
   * @param decodeImagesPerS full-size decode alone, images per second on one thread
   * @param ratio imagesPerS / decodeImagesPerS
   * @param djpegImagesPerS djpeg -outfile /dev/null per file, process start-up subtracted; null if not run
   */
  public record Result(int images, long meanBytes, int skipped, double imagesPerS, double decodeImagesPerS,
      double ratio, String decoder, int size, Double djpegImagesPerS) {

    /** The result as one JSON object with snake_case keys. */
    public String toJson() {
      return String.format(Locale.ROOT, "{\"images\": %d, \"images_per_s\": %.1f, \"decode_images_per_s\": %.1f, "
          + "\"ratio\": %.3f, \"decoder\": \"%s\", \"size\": %d, \"mean_bytes\": %d, \"skipped\": %d, "
          + "\"djpeg_images_per_s\": %s}", images, imagesPerS, decodeImagesPerS, ratio, decoder, size, meanBytes,
          skipped, djpegImagesPerS == null ? "null" : String.format(Locale.ROOT, "%.1f", djpegImagesPerS));
    }
  }

  /** Loads the images under {@code config.images()} and measures; see {@link Result}. */
  public static Result run(Config config) throws IOException {
    List<Path> paths = imageFiles(config.images(), config.maxImages());
    List<byte[]> files = new ArrayList<>();
    int skipped = 0;
    long bytes = 0;
    try (ImageDecoder probe = new ImageDecoder()) {
      for (Path p : paths) {
        byte[] b = Files.readAllBytes(p);
        try {
          // A whole decode, not just the header: a truncated JPEG has a good header.
          probe.decode(b, probe.header(b), ScaleFactor.ONE);
          files.add(b);
          bytes += b.length;
        } catch (UndecodableImageException e) {
          skipped++;
        }
      }
    }
    if (files.isEmpty()) {
      throw new IOException("no decodable .jpg/.jpeg/.png files under " + config.images()
          + " (" + skipped + " skipped); DecodeBenchmark.generate(dir, 200, 1) writes ImageNet-like ones");
    }
    try (PresetDecoder augment = new PresetDecoder(AugmentPreset.train(config.size(), 1));
        ImageDecoder decode = new ImageDecoder()) {
      Loops loops = new Loops(files, augment, decode);
      loops.alternate(config.warmup().toNanos());
      loops.reset();
      loops.alternate(config.measure().toNanos());
      Double djpeg = config.djpeg() ? djpeg(paths, config.measure()) : null;
      double aug = loops.augmented / (loops.augmentNanos / 1e9);
      double dec = loops.decoded / (loops.decodeNanos / 1e9);
      return new Result(files.size(), bytes / files.size(), skipped, aug, dec, aug / dec, decode.name(),
          config.size(), djpeg);
    }
  }

  /** The two measured loops, run in alternating slices of {@link #SLICE_NANOS}. */
  private static final class Loops {
    private final List<byte[]> files;
    private final PresetDecoder augment;
    private final ImageDecoder decode;
    private long augmented;
    private long augmentNanos;
    private long decoded;
    private long decodeNanos;
    private int nextAugment;
    private int nextDecode;

    Loops(List<byte[]> files, PresetDecoder augment, ImageDecoder decode) {
      this.files = files;
      this.augment = augment;
      this.decode = decode;
    }

    void reset() {
      augmented = augmentNanos = decoded = decodeNanos = 0;
    }

    void alternate(long totalNanos) {
      long half = Math.max(totalNanos / 2, 1);
      while (augmentNanos < half || decodeNanos < half) {
        if (augmentNanos <= decodeNanos) {
          augmentSlice();
        } else {
          decodeSlice();
        }
      }
    }

    private void augmentSlice() {
      long t0 = System.nanoTime();
      long end = t0 + SLICE_NANOS;
      long n = 0;
      do {
        int i = nextAugment++;
        byte[] f = files.get(i % files.size());
        // A new epoch per pass over the files: every pass draws new crops, as training does.
        try {
          augment.decodeAndAugment(f, "img" + (i % files.size()), i / files.size());
        } catch (UndecodableImageException e) {
          throw new IllegalStateException("image " + (i % files.size()) + " decoded before but not now", e);
        }
        n++;
      } while (System.nanoTime() < end);
      augmentNanos += System.nanoTime() - t0;
      augmented += n;
    }

    private void decodeSlice() {
      long t0 = System.nanoTime();
      long end = t0 + SLICE_NANOS;
      long n = 0;
      do {
        byte[] f = files.get(nextDecode++ % files.size());
        try {
          ImageHeader h = decode.header(f);
          decode.decode(f, h, ScaleFactor.ONE); // full size, into the decoder's buffer: what djpeg does
        } catch (UndecodableImageException e) {
          throw new IllegalStateException("an image decoded before but not now", e);
        }
        n++;
      } while (System.nanoTime() < end);
      decodeNanos += System.nanoTime() - t0;
      decoded += n;
    }
  }

  static List<Path> imageFiles(Path dir, int max) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(DecodeBenchmark::isImageName).sorted().limit(max).toList();
    }
  }

  private static boolean isImageName(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
  }

  /**
   * djpeg over the JPEG files, one process each, for up to {@code budget}; null if djpeg is
   * absent. Process start-up (about a millisecond, as long as a decode) is measured on an 8x8
   * JPEG run alternately with the real files and subtracted, leaving djpeg's decode rate.
   */
  static Double djpeg(List<Path> paths, Duration budget) throws IOException {
    Path djpeg = onPath("djpeg");
    List<Path> jpegs = paths.stream()
        .filter(p -> !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).toList();
    if (djpeg == null || jpegs.isEmpty()) {
      return null;
    }
    Path tiny = Files.createTempFile("djpeg-startup", ".jpg");
    try {
      Files.write(tiny, SyntheticPhotos.jpeg(SyntheticPhotos.photo(8, 8, new SplittableRandom(0)), 0.9f,
          SyntheticPhotos.JpegKind.BASELINE_420));
      long files = 0;
      long startups = 0;
      int n = 0;
      long end = System.nanoTime() + budget.toNanos();
      while (System.nanoTime() < end || n == 0) {
        files += timeDjpeg(djpeg, jpegs.get(n % jpegs.size()));
        startups += timeDjpeg(djpeg, tiny);
        n++;
      }
      double perImage = (files - startups) / 1e9 / n;
      return perImage > 0 ? 1 / perImage : null;
    } finally {
      Files.deleteIfExists(tiny);
    }
  }

  private static long timeDjpeg(Path djpeg, Path file) throws IOException {
    long t0 = System.nanoTime();
    Process proc = new ProcessBuilder(djpeg.toString(), "-outfile", "/dev/null", file.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (proc.waitFor() != 0) {
        throw new IOException("djpeg failed on " + file);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while timing djpeg", e);
    }
    return System.nanoTime() - t0;
  }

  private static Path onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, exe);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Writes {@code n} ImageNet-like JPEGs into {@code dir} (created if needed) and returns their
   * paths: photo-like content at quality 90, mostly 500x375 (also 375x500 and 500x333), about
   * 80-150 KB each; by index, 85% baseline 4:2:0, 7% progressive, 5% 4:4:4, 3% grayscale. File i
   * depends only on (seed, i), so a larger n extends a smaller set.
   */
  public static List<Path> generate(Path dir, int n, long seed) throws IOException {
    // Each file is a function of (seed, i) alone: see imageNetLikeJpeg.
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Path p = dir.resolve(String.format(Locale.ROOT, "synthetic_%05d.JPEG", i));
      Files.write(p, imageNetLikeJpeg(seed, i));
      out.add(p);
    }
    return out;
  }

  /** File {@code i} of {@link #generate}'s set: the same bytes for the same (seed, i). */
  public static byte[] imageNetLikeJpeg(long seed, int i) {
    SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
    int shape = Math.floorMod(i, 5); // 3 of 5 landscape 4:3, one portrait, one 3:2
    int w = shape == 3 ? 375 : 500;
    int h = shape == 3 ? 500 : shape == 4 ? 333 : 375;
    int k = Math.floorMod(i * 37, 100); // spreads the kinds over the indices
    SyntheticPhotos.JpegKind kind = k < 85 ? SyntheticPhotos.JpegKind.BASELINE_420
        : k < 92 ? SyntheticPhotos.JpegKind.PROGRESSIVE_420
        : k < 97 ? SyntheticPhotos.JpegKind.BASELINE_444 : SyntheticPhotos.JpegKind.GRAY;
    return SyntheticPhotos.jpeg(SyntheticPhotos.photo(w, h, rng), 0.9f, kind);
  }
}
