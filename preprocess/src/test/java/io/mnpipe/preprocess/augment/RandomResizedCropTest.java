package io.mnpipe.preprocess.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.preprocess.image.RgbImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {
  private final RandomResizedCrop crop = new RandomResizedCrop(64);

  @Test
  void boxesStayInsideAndFollowTheScaleAndRatioDistribution() {
    SplittableRandom rng = new SplittableRandom(7);
    int n = 20_000;
    double sumScale = 0;
    int inLowerHalfOfLogRatio = 0;
    for (int i = 0; i < n; i++) {
      CropBox b = crop.params(500, 375, rng);
      assertTrue(b.x() >= 0 && b.y() >= 0 && b.x() + b.width() <= 500 && b.y() + b.height() <= 375, b.toString());
      double scale = (double) b.width() * b.height() / (500 * 375);
      double ratio = (double) b.width() / b.height();
      assertTrue(scale > 0.07 && scale <= 1.0001, "scale " + scale);
      assertTrue(ratio > 0.74 && ratio < 1.35, "ratio " + ratio);
      sumScale += scale;
      if (Math.log(ratio) < 0) {
        inLowerHalfOfLogRatio++;
      }
    }
    // Draws are uniform on (scale, log ratio) but a draw is kept only if the box fits:
    // h <= 375 means scale <= 0.75 * ratio for this 4:3 image. Integrate over that region.
    double[] expected = acceptedMeanScaleAndPortraitFraction(500, 375);
    assertEquals(expected[0], sumScale / n, 0.01, "mean scale");
    assertEquals(expected[1], (double) inLowerHalfOfLogRatio / n, 0.015, "fraction with ratio < 1");
  }

  private static double[] acceptedMeanScaleAndPortraitFraction(int w, int h) {
    int steps = 4000;
    double lo = Math.log(0.75);
    double hi = Math.log(4.0 / 3.0);
    double scaleMoment = 0;
    double mass = 0;
    double portrait = 0;
    for (int i = 0; i < steps; i++) {
      double lr = lo + (hi - lo) * (i + 0.5) / steps;
      double r = Math.exp(lr);
      double smax = Math.min(1.0, Math.min((double) h / w * r, (double) w / h / r));
      if (smax > 0.08) {
        scaleMoment += (smax * smax - 0.08 * 0.08) / 2;
        mass += smax - 0.08;
        if (lr < 0) {
          portrait += smax - 0.08;
        }
      }
    }
    return new double[] {scaleMoment / mass, portrait / mass};
  }

  @Test
  void impossibleAspectFallsBackToCentreCrop() {
    // A 1000x10 strip: no crop of ratio <= 4/3 and scale >= 0.08 fits, so the fallback
    // crops the centre at the largest allowed ratio.
    CropBox b = crop.params(1000, 10, new SplittableRandom(1));
    assertEquals(new CropBox(493, 0, 13, 10), b);
  }

  @Test
  void presetIsDeterministicPerSeedEpochAndKey() {
    byte[] px = new byte[120 * 90 * 3];
    new SplittableRandom(3).nextBytes(px);
    RgbImage img = new RgbImage(120, 90, px);
    AugmentPreset p = AugmentPreset.train(32, 42);
    RgbImage a = p.apply(img, "k1", 1);
    assertArrayEquals(a.rgb(), p.apply(img, "k1", 1).rgb());
    assertFalse(java.util.Arrays.equals(a.rgb(), p.apply(img, "k1", 2).rgb()), "epochs draw new crops");
    assertFalse(java.util.Arrays.equals(a.rgb(), p.apply(img, "k2", 1).rgb()), "keys draw new crops");
    assertEquals(32, a.width());
    assertEquals(32, a.height());
  }

  @Test
  void smallImagePresetsKeepTheWholeImage() {
    byte[] px = new byte[28 * 28 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i / 3 % 28 * 9); // brightness grows left to right
    }
    RgbImage img = new RgbImage(28, 28, px);
    RgbImage resized = new AugmentPreset("resize", 32, 0).apply(img, "k", 1);
    assertEquals(32, resized.width());
    assertTrue(resized.at(10, 0, 0) < resized.at(10, 31, 0), "left stays dark, right bright");
    int flipped = 0;
    for (int k = 0; k < 200; k++) {
      RgbImage f = new AugmentPreset("flip", 32, 1).apply(img, "k" + k, 1);
      if (f.at(10, 0, 0) > f.at(10, 31, 0)) {
        flipped++;
      } else {
        assertArrayEquals(resized.rgb(), f.rgb(), "unflipped flip preset = resize preset");
      }
    }
    assertTrue(flipped > 70 && flipped < 130, "about half are mirrored: " + flipped);
  }
}
