package io.mnpipe.preprocess.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColorJitterTest {
  private static byte[] pixels(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static int[] ints(byte[] b) {
    int[] v = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      v[i] = b[i] & 0xff;
    }
    return v;
  }

  @Test
  void brightnessScalesAndTruncatesLikePillowsBlendWithBlack() {
    byte[] px = pixels(201, 100, 3, 250, 255, 0);
    ColorJitter.adjustBrightness(px, 0.5f);
    assertArrayEquals(new int[] {100, 50, 1, 125, 127, 0}, ints(px)); // 100.5 -> 100, 1.5 -> 1
    byte[] up = pixels(200, 100, 10);
    ColorJitter.adjustBrightness(up, 1.4f);
    assertArrayEquals(new int[] {255, 140, 14}, ints(up)); // 280 clips
  }

  @Test
  void contrastBlendsWithTheRoundedMeanGrey() {
    // Pillow's L of (200, 100, 50) is (200*19595 + 100*38470 + 50*7471 + 32768) >> 16 = 124,
    // of (0, 0, 0) is 0: mean 62. Factor 0.5: 62 + 0.5 * (v - 62), truncated.
    byte[] px = pixels(200, 100, 50, 0, 0, 0);
    ColorJitter.adjustContrast(px, 0.5f);
    assertArrayEquals(new int[] {131, 81, 56, 31, 31, 31}, ints(px));
  }

  @Test
  void saturationBlendsEachPixelWithItsOwnGrey() {
    byte[] grey = pixels(200, 100, 50);
    ColorJitter.adjustSaturation(grey, 0f);
    assertArrayEquals(new int[] {124, 124, 124}, ints(grey));
    byte[] vivid = pixels(200, 100, 50);
    ColorJitter.adjustSaturation(vivid, 2f);
    assertArrayEquals(new int[] {255, 76, 0}, ints(vivid)); // 276 and -24 clip
  }

  @Test
  void drawsFactorsInRangeAndEveryOrderOfOperations() {
    ColorJitter j = ColorJitter.of(0.4);
    SplittableRandom rng = new SplittableRandom(1);
    Set<String> orders = new HashSet<>();
    for (int i = 0; i < 600; i++) {
      ColorJitter.Factors f = j.draw(rng);
      for (float v : new float[] {f.brightness(), f.contrast(), f.saturation()}) {
        assertTrue(v >= 0.6f && v <= 1.4f, "factor " + v);
      }
      int[] sorted = f.order().clone();
      Arrays.sort(sorted);
      assertArrayEquals(new int[] {0, 1, 2}, sorted);
      orders.add(Arrays.toString(f.order()));
    }
    assertEquals(6, orders.size(), "torchvision applies the operations in a random order");
  }

  @Test
  void presetJittersOnlyWhenAskedAndOnlyInTraining() {
    AugmentPreset plain = AugmentPreset.train(32, 7);
    AugmentPreset jittered = plain.withColorJitter(0.4);
    assertNull(plain.plan(100, 80, "k", 1).jitter());
    AugmentPreset.Plan p = jittered.plan(100, 80, "k", 1);
    assertNotNull(p.jitter());
    // The jitter draws come after the crop and flip draws, so adding jitter keeps the crops.
    assertEquals(plain.plan(100, 80, "k", 1).box(), p.box());
    assertEquals(plain.plan(100, 80, "k", 1).flip(), p.flip());
    assertThrows(IllegalArgumentException.class, () -> new AugmentPreset("eval", 32, 0, 0.4));
    assertThrows(IllegalArgumentException.class, () -> plain.withColorJitter(-0.1));
  }
}
