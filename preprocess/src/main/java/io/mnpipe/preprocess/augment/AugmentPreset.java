package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.preprocess.image.RgbPixels;
import io.mnpipe.preprocess.image.ScaleFactor;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A decoded image (or just its size), the sample key and epoch in, the augmented view out. Named
 * presets follow torchvision's classification references: {@code train} (RandomResizedCrop +
 * flip, plus ColorJitter when {@code colorJitter > 0}, as MindCV's MobileNetV3-small recipe uses)
 * and {@code eval} (resize to size/0.875 + center crop); for small-image datasets (Fashion-MNIST,
 * CIFAR), where a crop of 8% of 28x28 pixels leaves nothing to learn from, {@code flip} (the whole
 * image resized + horizontal flip, the augmentation of Fashion-MNIST's reference MobileNet) and
 * {@code resize} (the whole image resized) are its train and eval. The random stream is seeded from
 * (seed, epoch, key), so a sample's view is the same wherever and whenever it is computed.
 *
 * <p>Work is split in two so the decoder can use the crop: {@link #plan} draws everything from
 * the full image size (the header's), {@link #render} applies a plan to pixels that may have
 * been decoded at a reduced DCT scale.
 *
 * @param colorJitter brightness, contrast and saturation strength; 0 = off (train only)
 */
public record AugmentPreset(String name, int size, long seed, double colorJitter) implements Serializable {
  public static final double EVAL_CROP_PCT = 0.875;
  /** Preset names: ImageNet's train and eval, and the small-image flip and resize. */
  public static final java.util.List<String> NAMES = java.util.List.of("train", "eval", "flip", "resize");

  public AugmentPreset {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + String.join(", ", NAMES));
    }
    if (size < 8) {
      throw new IllegalArgumentException("image size must be >= 8, got " + size);
    }
    if (!(colorJitter >= 0 && colorJitter <= 1)) {
      throw new IllegalArgumentException("colorJitter must be in [0, 1] (MindCV uses 0.4), got " + colorJitter);
    }
    if (!"train".equals(name) && colorJitter != 0) {
      throw new IllegalArgumentException("colour jitter is for the train preset only, not " + name);
    }
  }

  public AugmentPreset(String name, int size, long seed) {
    this(name, size, seed, 0);
  }

  public static AugmentPreset train(int size, long seed) {
    return new AugmentPreset("train", size, seed);
  }

  public static AugmentPreset eval(int size) {
    return new AugmentPreset("eval", size, 0);
  }

  /** This preset with colour jitter of the given strength (0.4 in MindCV's MobileNetV3-small recipe). */
  public AugmentPreset withColorJitter(double strength) {
    return new AugmentPreset(name, size, seed, strength);
  }

  /**
   * What happens to one sample: the crop box on the full image, the mirror, and the colour
   * factors (null when jitter is off).
   */
  public record Plan(CropBox box, boolean flip, ColorJitter.Factors jitter) {}

  /** Draws the sample's plan for an image of width x height, in torchvision's draw order. */
  public Plan plan(int width, int height, String key, int epoch) {
    if ("eval".equals(name)) {
      return new Plan(new ResizeCenterCrop(size, EVAL_CROP_PCT).box(width, height), false, null);
    }
    if ("resize".equals(name)) {
      return new Plan(new CropBox(0, 0, width, height), false, null);
    }
    if ("flip".equals(name)) {
      return new Plan(new CropBox(0, 0, width, height), rng(key, epoch).nextDouble() < 0.5, null);
    }
    SplittableRandom rng = rng(key, epoch);
    CropBox box = new RandomResizedCrop(size).params(width, height, rng);
    boolean flip = rng.nextDouble() < 0.5;
    ColorJitter.Factors jitter = colorJitter > 0 ? ColorJitter.of(colorJitter).draw(rng) : null;
    return new Plan(box, flip, jitter);
  }

  /**
   * Applies {@code plan} to {@code pixels}, decoded at {@code scale} of the full image: the crop
   * box is mapped into the scaled pixels, resampled to size x size (mirrored while writing), then
   * colour-jittered.
   */
  public RgbImage render(RgbPixels pixels, ScaleFactor scale, Plan plan, Resize.Scratch scratch) {
    CropBox b = plan.box();
    double s = scale.value();
    double x = b.x() * s;
    double y = b.y() * s;
    // A DCT-scaled image is ceil(dim * s) wide, so the mapped box always fits; min() absorbs rounding.
    double w = Math.min(b.width() * s, pixels.width() - x);
    double h = Math.min(b.height() * s, pixels.height() - y);
    RgbImage out = Resize.box(pixels, x, y, w, h, size, size, plan.flip(), scratch);
    if (plan.jitter() != null) {
      ColorJitter.apply(out.rgb(), plan.jitter());
    }
    return out;
  }

  /** The whole preset on an image already decoded at full size. */
  public RgbImage apply(RgbImage img, String key, int epoch) {
    return render(img, ScaleFactor.ONE, plan(img.width(), img.height(), key, epoch), new Resize.Scratch());
  }

  /** The per-sample random stream for (seed, epoch, key). */
  public SplittableRandom rng(String key, int epoch) {
    long h = 0xcbf29ce484222325L; // FNV-1a over the key's bytes: stable across JVMs
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ h ^ ((long) epoch << 32 | epoch));
  }
}
