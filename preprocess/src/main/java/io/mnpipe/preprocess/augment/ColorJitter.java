package io.mnpipe.preprocess.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Jitter strengths in, per-sample factors (drawn from the sample's random stream) and the
 * jittered pixels out: torchvision's ColorJitter(brightness, contrast, saturation) on PIL images,
 * including its random order of operations (a fresh permutation per sample; the hue slot is
 * unused) and Pillow's uint8 arithmetic (ImageEnhance = Image.blend, float factor, truncation).
 * Each factor is uniform in [max(0, 1 - s), 1 + s].
 */
public record ColorJitter(double brightness, double contrast, double saturation) implements Serializable {
  static final int BRIGHTNESS = 0;
  static final int CONTRAST = 1;
  static final int SATURATION = 2;

  public ColorJitter {
    for (double s : new double[] {brightness, contrast, saturation}) {
      if (!(s >= 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("colour jitter strengths must be finite and >= 0, got " + s);
      }
    }
  }

  /** Equal brightness, contrast and saturation strength: MindCV's "color jitter 0.4". */
  public static ColorJitter of(double strength) {
    return new ColorJitter(strength, strength, strength);
  }

  /**
   * One sample's draw: operation order, then the factors, as torchvision's get_params does
   * (randperm, then brightness, contrast, saturation). A zero strength draws nothing.
   */
  public record Factors(int[] order, float brightness, float contrast, float saturation) {}

  public Factors draw(SplittableRandom rng) {
    int[] order = {BRIGHTNESS, CONTRAST, SATURATION};
    for (int i = order.length - 1; i > 0; i--) { // Fisher-Yates
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return new Factors(order, factor(brightness, rng), factor(contrast, rng), factor(saturation, rng));
  }

  private static float factor(double s, SplittableRandom rng) {
    if (s == 0) {
      return 1f;
    }
    double lo = Math.max(0, 1 - s);
    return (float) (lo + (1 + s - lo) * rng.nextDouble());
  }

  /** Applies {@code f} to packed RGB pixels in place. */
  public static void apply(byte[] rgb, Factors f) {
    for (int op : f.order()) {
      switch (op) {
        case BRIGHTNESS -> adjustBrightness(rgb, f.brightness());
        case CONTRAST -> adjustContrast(rgb, f.contrast());
        default -> adjustSaturation(rgb, f.saturation());
      }
    }
  }

  /** ImageEnhance.Brightness: blend with black. */
  static void adjustBrightness(byte[] rgb, float factor) {
    if (factor == 1f) {
      return;
    }
    byte[] lut = new byte[256];
    for (int v = 0; v < 256; v++) {
      lut[v] = blend(0, v, factor);
    }
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = lut[rgb[i] & 0xff];
    }
  }

  /** ImageEnhance.Contrast: blend with the image's mean grey level (rounded, as Pillow does). */
  static void adjustContrast(byte[] rgb, float factor) {
    if (factor == 1f) {
      return;
    }
    long sum = 0;
    for (int i = 0; i < rgb.length; i += 3) {
      sum += luma(rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff);
    }
    int mean = (int) ((double) sum / (rgb.length / 3) + 0.5);
    byte[] lut = new byte[256];
    for (int v = 0; v < 256; v++) {
      lut[v] = blend(mean, v, factor);
    }
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = lut[rgb[i] & 0xff];
    }
  }

  /** ImageEnhance.Color: blend each pixel with its own grey level. */
  static void adjustSaturation(byte[] rgb, float factor) {
    if (factor == 1f) {
      return;
    }
    for (int i = 0; i < rgb.length; i += 3) {
      int r = rgb[i] & 0xff;
      int g = rgb[i + 1] & 0xff;
      int b = rgb[i + 2] & 0xff;
      int l = luma(r, g, b);
      rgb[i] = blend(l, r, factor);
      rgb[i + 1] = blend(l, g, factor);
      rgb[i + 2] = blend(l, b, factor);
    }
  }

  /** Pillow's RGB to L: ITU-R 601 weights in 16-bit fixed point, rounded. */
  static int luma(int r, int g, int b) {
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }

  /** Pillow's ImagingBlend for one sample: in1 + alpha * (in2 - in1) in float, clipped, truncated. */
  static byte blend(int in1, int in2, float alpha) {
    float t = in1 + alpha * (in2 - in1);
    return (byte) (t <= 0f ? 0 : t >= 255f ? 255 : (int) t);
  }
}
