package io.mnpipe.preprocess.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.preprocess.image.RgbImage;
import org.junit.jupiter.api.Test;

class ResizeTest {
  /** A one-row grey ramp: value at column x is v[x] in all three channels. */
  private static RgbImage row(int... v) {
    byte[] rgb = new byte[v.length * 3];
    for (int x = 0; x < v.length; x++) {
      rgb[3 * x] = rgb[3 * x + 1] = rgb[3 * x + 2] = (byte) v[x];
    }
    return new RgbImage(v.length, 1, rgb);
  }

  @Test
  void halvingAveragesWithTheWidenedTriangle() {
    // 4 -> 2: scale 2, support 2. Output 0 is centred at 1.0; taps x=0,1,2 at distances
    // 0.5, 0.5, 1.5 (in units of 2) -> weights 0.75, 0.75, 0.25, normalised by 1.75.
    RgbImage out = Resize.to(row(0, 100, 200, 40), 2, 1);
    assertEquals(Math.round((0.75 * 0 + 0.75 * 100 + 0.25 * 200) / 1.75), out.at(0, 0, 0));
    // Output 1 centred at 3.0: taps x=1,2,3 -> 0.25, 0.75, 0.75.
    assertEquals(Math.round((0.25 * 100 + 0.75 * 200 + 0.75 * 40) / 1.75), out.at(0, 1, 1));
  }

  @Test
  void upscalingInterpolatesLinearlyBetweenNeighbours() {
    // 2 -> 4: output 1 is centred at 0.75 -> 0.75 of x=0 and 0.25 of x=1.
    RgbImage out = Resize.to(row(0, 200), 4, 1);
    assertEquals(0, out.at(0, 0, 0));
    assertEquals(50, out.at(0, 1, 2));
    assertEquals(150, out.at(0, 2, 0));
    assertEquals(200, out.at(0, 3, 0));
  }

  @Test
  void sameSizeIsIdentityAndBoxReadsOnlyTheBox() {
    RgbImage src = row(10, 20, 30, 40, 50);
    assertEquals(java.util.Arrays.toString(src.rgb()), java.util.Arrays.toString(Resize.to(src, 5, 1).rgb()));
    RgbImage box = Resize.box(src, 2, 0, 2, 1, 2, 1);
    assertEquals(30, box.at(0, 0, 0));
    assertEquals(40, box.at(0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Resize.box(src, 4, 0, 2, 1, 2, 1));
  }

  @Test
  void flipMirrorsColumns() {
    RgbImage f = HorizontalFlip.apply(row(1, 2, 3));
    assertEquals(3, f.at(0, 0, 0));
    assertEquals(1, f.at(0, 2, 2));
  }

  @Test
  void theFlipFusedIntoTheResizeEqualsResizeThenFlip() {
    byte[] px = new byte[37 * 23 * 3];
    new java.util.SplittableRandom(4).nextBytes(px);
    RgbImage src = new RgbImage(37, 23, px);
    RgbImage plain = Resize.box(src, 3.0, 2.0, 30.0, 19.0, 16, 12, false, new Resize.Scratch());
    RgbImage fused = Resize.box(src, 3.0, 2.0, 30.0, 19.0, 16, 12, true, new Resize.Scratch());
    assertEquals(java.util.Arrays.toString(HorizontalFlip.apply(plain).rgb()), java.util.Arrays.toString(fused.rgb()));
  }

  @Test
  void aFractionalBoxSamplesBetweenPixels() {
    // Ramp v[x] = 10x. Box from 2.5, 10 wide, to 10 px (scale 1): output i is centred at 3 + i,
    // halfway between pixels 2 + i and 3 + i (centres at x + 0.5) -> 10 * (2 + i) + 5.
    int[] ramp = new int[20];
    for (int x = 0; x < 20; x++) {
      ramp[x] = 10 * x;
    }
    RgbImage out = Resize.box(row(ramp), 2.5, 0, 10, 1, 10, 1, false, new Resize.Scratch());
    for (int i = 0; i < 10; i++) {
      assertEquals(10 * (2 + i) + 5, out.at(0, i, 1), "output " + i);
    }
  }

  @Test
  void weightsSumToOneInFixedPointAndStayInsideTheBox() {
    for (double len : new double[] {7.0, 64.0, 100.5, 333.0, 1000.0}) {
      Resize.Coefficients c = Resize.Coefficients.of(11.25, len, 2000, 64);
      for (int o = 0; o < 64; o++) {
        long sum = 0;
        for (int k = 0; k < c.taps; k++) {
          long w = c.weights[o * c.taps + k];
          assertTrue(w >= 0, "negative weight");
          sum += w;
        }
        assertEquals(1L << Resize.WEIGHT_BITS, sum, "output " + o + " of box length " + len);
        assertTrue(c.first[o] >= 11 && c.first[o] + c.taps <= Math.ceil(11.25 + len), "taps leave the box");
      }
    }
  }

  @Test
  void staysWithinOneLevelOfTheExactSeparableFilter() {
    // The packed 13-bit arithmetic against the same filter in doubles without intermediate
    // rounding (PIL's maths; PIL itself rounds between passes too): down 3.7x, 1.3x, up 2x, fractional.
    byte[] px = new byte[97 * 61 * 3];
    new java.util.SplittableRandom(8).nextBytes(px);
    RgbImage src = new RgbImage(97, 61, px);
    double[][] boxes = {{0, 0, 97, 61, 26, 16}, {5, 3, 80, 50, 61, 38}, {10, 10, 20, 15, 40, 30},
        {2.25, 1.5, 60.5, 40.75, 33, 22}};
    for (double[] b : boxes) {
      int outW = (int) b[4];
      int outH = (int) b[5];
      RgbImage out = Resize.box(src, b[0], b[1], b[2], b[3], outW, outH, false, new Resize.Scratch());
      int worst = 0;
      for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
          for (int c = 0; c < 3; c++) {
            double exact = exact(src, b, outW, outH, ox, oy, c);
            worst = Math.max(worst, (int) Math.abs(out.at(oy, ox, c) - Math.round(exact)));
          }
        }
      }
      assertTrue(worst <= 1, "box " + java.util.Arrays.toString(b) + ": off by " + worst);
    }
  }

  /** PIL's triangle filter over the box, taps clipped to the box, evaluated in doubles. */
  private static double exact(RgbImage src, double[] b, int outW, int outH, int ox, int oy, int c) {
    double[] wx = weights(b[0], b[2], src.width(), outW, ox);
    double[] wy = weights(b[1], b[3], src.height(), outH, oy);
    double v = 0;
    for (int y = 0; y < src.height(); y++) {
      for (int x = 0; x < src.width(); x++) {
        v += wy[y] * wx[x] * src.at(y, x, c);
      }
    }
    return v;
  }

  private static double[] weights(double start, double len, int in, int out, int o) {
    double scale = len / out;
    double fs = Math.max(scale, 1);
    double center = start + (o + 0.5) * scale;
    double[] w = new double[in];
    double sum = 0;
    for (int x = (int) Math.floor(start); x < Math.min(in, Math.ceil(start + len)); x++) {
      double d = Math.abs((x + 0.5 - center) / fs);
      w[x] = d < 1 ? 1 - d : 0;
      sum += w[x];
    }
    for (int x = 0; x < in; x++) {
      w[x] /= sum;
    }
    return w;
  }

  @Test
  void evalCropIsTheCentredShortSideFraction() {
    // 500x375, size 224: resize short side to 256, crop 224 -> source box 375*224/256 = 328.
    CropBox b = new ResizeCenterCrop(224, 0.875).box(500, 375);
    assertEquals(new CropBox(86, 23, 328, 328), b);
  }
}
