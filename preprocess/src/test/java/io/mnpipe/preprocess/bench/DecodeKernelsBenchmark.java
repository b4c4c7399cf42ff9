package io.mnpipe.preprocess.bench;

import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.augment.CropBox;
import io.mnpipe.preprocess.augment.PresetDecoder;
import io.mnpipe.preprocess.augment.RandomResizedCrop;
import io.mnpipe.preprocess.augment.Resize;
import io.mnpipe.preprocess.augment.ResizeCenterCrop;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.preprocess.image.ImageHeader;
import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.preprocess.image.ScaleFactor;
import io.mnpipe.preprocess.image.UndecodableImageException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sixteen in-memory ImageNet-sized JPEGs in, per-operation throughput of the decode and crop
 * kernels out (JMH; run by hand, see the preprocess README section of the report):
 * full-size and 1/2-scale libjpeg-turbo decodes, the whole train and eval paths, and the
 * resize kernel alone on a random crop and on the eval centre box.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class DecodeKernelsBenchmark {
  @Param({"224"})
  public int size;

  private byte[][] files;
  private RgbImage decoded;
  private ImageDecoder decoder;
  private PresetDecoder train;
  private PresetDecoder eval;
  private Resize.Scratch scratch;
  private RandomResizedCrop crop;
  private SplittableRandom rng;
  private int next;

  @Setup
  public void setUp() throws UndecodableImageException {
    files = new byte[16][];
    for (int i = 0; i < files.length; i++) {
      SplittableRandom r = new SplittableRandom(i);
      files[i] = SyntheticPhotos.jpeg(SyntheticPhotos.photo(500, 375, r), 0.9f, SyntheticPhotos.JpegKind.BASELINE_420);
    }
    decoder = new ImageDecoder();
    decoded = decoder.decode(files[0]);
    train = new PresetDecoder(AugmentPreset.train(size, 1));
    eval = new PresetDecoder(AugmentPreset.eval(size));
    scratch = new Resize.Scratch();
    crop = new RandomResizedCrop(size);
    rng = new SplittableRandom(42);
  }

  @TearDown
  public void tearDown() {
    decoder.close();
    train.close();
    eval.close();
  }

  private byte[] nextFile() {
    return files[next++ & (files.length - 1)];
  }

  @Benchmark
  public int decodeFull() throws UndecodableImageException {
    byte[] f = nextFile();
    ImageHeader h = decoder.header(f);
    return decoder.decode(f, h, ScaleFactor.ONE).pixels().height();
  }

  @Benchmark
  public int decodeHalf() throws UndecodableImageException {
    byte[] f = nextFile();
    ImageHeader h = decoder.header(f);
    return decoder.decode(f, h, new ScaleFactor(1, 2)).pixels().height();
  }

  @Benchmark
  public RgbImage decodeAndAugmentTrain() throws UndecodableImageException {
    int i = next++;
    return train.decodeAndAugment(files[i & (files.length - 1)], "k" + (i & 15), i >>> 4);
  }

  @Benchmark
  public RgbImage decodeAndAugmentEval() throws UndecodableImageException {
    return eval.decodeAndAugment(nextFile(), "k", 1);
  }

  @Benchmark
  public RgbImage resizeRandomCrop() {
    CropBox b = crop.params(decoded.width(), decoded.height(), rng);
    return Resize.box(decoded, b.x(), b.y(), b.width(), b.height(), size, size, rng.nextBoolean(), scratch);
  }

  @Benchmark
  public RgbImage resizeEvalBox() {
    CropBox b = new ResizeCenterCrop(size, AugmentPreset.EVAL_CROP_PCT).box(decoded.width(), decoded.height());
    return Resize.box(decoded, b.x(), b.y(), b.width(), b.height(), size, size, false, scratch);
  }
}
