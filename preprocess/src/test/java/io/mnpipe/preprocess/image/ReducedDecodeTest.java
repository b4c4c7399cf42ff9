package io.mnpipe.preprocess.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mnpipe.preprocess.bench.SyntheticPhotos.JpegKind;
import io.mnpipe.preprocess.bench.SyntheticPhotos;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** libjpeg-turbo's DCT scaling and the early stop below the rows a crop needs. */
class ReducedDecodeTest {
  private static final byte[] PHOTO = SyntheticPhotos.jpeg(
      SyntheticPhotos.photo(333, 250, new SplittableRandom(2)), 0.9f, JpegKind.BASELINE_420);

  @BeforeEach
  void needsLibjpegTurbo() {
    assumeTrue(ImageDecoder.libjpegTurboAvailable(), "libturbojpeg0 not installed");
  }

  private static byte[] rows(RgbPixels px, int rows) {
    byte[] out = new byte[px.width() * rows * 3];
    px.copyWindow(0, 0, px.width(), rows, out);
    return out;
  }

  @Test
  void offersOnlyTheFastPowerOfTwoFactorsAndDecodesAtCeilOfTheScaledSize() throws Exception {
    try (ImageDecoder d = new ImageDecoder()) {
      ImageHeader h = d.header(PHOTO);
      List<ScaleFactor> f = d.scaleFactors(h);
      assertEquals(List.of(ScaleFactor.ONE, new ScaleFactor(1, 2), new ScaleFactor(1, 4), new ScaleFactor(1, 8)), f);
      DecodedImage half = d.decode(PHOTO, h, new ScaleFactor(1, 2));
      assertEquals(167, half.pixels().width()); // ceil(333 / 2)
      assertEquals(125, half.pixels().height());
      assertEquals(new ScaleFactor(1, 2), ScaleFactor.smallestKeeping(f, 300, 260, 112, 112));
      assertEquals(new ScaleFactor(1, 4), ScaleFactor.smallestKeeping(f, 300, 260, 64, 64));
      assertEquals(ScaleFactor.ONE, ScaleFactor.smallestKeeping(f, 300, 200, 224, 224));
    }
  }

  @Test
  void stoppingBelowTheCropLeavesTheRowsAboveBitIdentical() throws Exception {
    for (JpegKind kind : new JpegKind[] {JpegKind.BASELINE_420, JpegKind.BASELINE_444, JpegKind.GRAY}) {
      byte[] jpeg = SyntheticPhotos.jpeg(SyntheticPhotos.photo(333, 250, new SplittableRandom(3)), 0.9f, kind);
      try (ImageDecoder d = new ImageDecoder()) {
        ImageHeader h = d.header(jpeg);
        byte[] full = rows(d.decode(jpeg, h, ScaleFactor.ONE).pixels(), 250);
        for (int limit : new int[] {1, 15, 16, 17, 100, 233}) {
          RgbPixels top = d.decode(jpeg, d.header(jpeg), ScaleFactor.ONE, limit).pixels();
          assertTrue(top.height() >= limit && top.height() <= Math.min(250, limit + 32), kind + ": " + top.height());
          assertTrue(top.height() < 250 || limit > 200, kind + " decoded every row for limit " + limit);
          assertArrayEquals(Arrays.copyOf(full, 333 * 3 * limit), rows(top, limit), kind + ", limit " + limit);
        }
        // Also at a DCT scale: rows are counted in full-image rows, the output has half as many.
        ScaleFactor half = new ScaleFactor(1, 2);
        byte[] fullHalf = rows(d.decode(jpeg, d.header(jpeg), half).pixels(), 125);
        RgbPixels topHalf = d.decode(jpeg, d.header(jpeg), half, 100).pixels();
        assertTrue(topHalf.height() < 125, kind + " at 1/2 decoded every row");
        assertArrayEquals(Arrays.copyOf(fullHalf, 167 * 3 * 50), rows(topHalf, 50), kind + " at 1/2");
        // The header the next caller sees is the original one again.
        assertEquals(250, d.decode(jpeg, h, ScaleFactor.ONE).pixels().height());
      }
    }
  }

  @Test
  void aTruncatedFileIsRefusedEvenWhenTheCropLiesInItsIntactTop() throws Exception {
    byte[] cut = Arrays.copyOf(PHOTO, PHOTO.length * 3 / 4);
    try (ImageDecoder d = new ImageDecoder()) {
      ImageHeader h = d.header(cut);
      var e = assertThrows(UndecodableImageException.class, () -> d.decode(cut, h, ScaleFactor.ONE, 8));
      assertTrue(e.getMessage().contains("ends before the image is complete"), e.getMessage());
    }
  }
}
