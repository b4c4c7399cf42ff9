package io.mnpipe.preprocess.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
  void evalCropIsTheCentredShortSideFraction() {
    // 500x375, size 224: resize short side to 256, crop 224 -> source box 375*224/256 = 328.
    CropBox b = new ResizeCenterCrop(224, 0.875).box(500, 375);
    assertEquals(new CropBox(86, 23, 328, 328), b);
  }
}
