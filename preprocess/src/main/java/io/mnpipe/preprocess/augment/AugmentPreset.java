package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A decoded image, the sample key and epoch in, the augmented view out. Named presets follow
 * torchvision's classification references: {@code train} (RandomResizedCrop + flip) and
 * {@code eval} (resize to size/0.875 + center crop). The random stream is seeded from
 * (seed, epoch, key), so a sample's crop is the same wherever and whenever it is computed.
 */
public record AugmentPreset(String name, int size, long seed) implements Serializable {
  public static final double EVAL_CROP_PCT = 0.875;

  public AugmentPreset {
    if (!"train".equals(name) && !"eval".equals(name)) {
      throw new IllegalArgumentException("unknown preset '" + name + "'; known: train, eval");
    }
    if (size < 8) {
      throw new IllegalArgumentException("image size must be >= 8, got " + size);
    }
  }

  public static AugmentPreset train(int size, long seed) {
    return new AugmentPreset("train", size, seed);
  }

  public static AugmentPreset eval(int size) {
    return new AugmentPreset("eval", size, 0);
  }

  public RgbImage apply(RgbImage img, String key, int epoch) {
    if ("eval".equals(name)) {
      return new ResizeCenterCrop(size, EVAL_CROP_PCT).apply(img);
    }
    SplittableRandom rng = rng(key, epoch);
    RgbImage crop = new RandomResizedCrop(size).apply(img, rng);
    return rng.nextDouble() < 0.5 ? HorizontalFlip.apply(crop) : crop;
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
