package io.mnpipe.preprocess.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mnpipe.preprocess.bench.SyntheticPhotos.JpegKind;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every JPEG flavour ImageNet holds, through libjpeg-turbo and through the ImageIO fallback. */
class JpegDecodingTest {
  private static final BufferedImage PICTURE = TestImages.smooth(120, 90, 3);
  private static final RgbImage REFERENCE = TestImages.rgb(PICTURE);

  private static ImageDecoder decoder(boolean libjpegTurbo) {
    assumeTrue(!libjpegTurbo || ImageDecoder.libjpegTurboAvailable(), "libturbojpeg0 not installed");
    return new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, libjpegTurbo);
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void baselineProgressive420And444DecodeCloseToTheOriginal(boolean libjpegTurbo) throws Exception {
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      for (JpegKind kind : new JpegKind[] {JpegKind.BASELINE_420, JpegKind.PROGRESSIVE_420, JpegKind.BASELINE_444}) {
        byte[] jpeg = TestImages.jpeg(PICTURE, kind);
        RgbImage img = d.decode(jpeg);
        assertEquals(120, img.width());
        assertEquals(90, img.height());
        double diff = TestImages.meanAbsDiff(REFERENCE, img);
        assertTrue(diff < (kind == JpegKind.BASELINE_444 ? 1.5 : 3.0), kind + ": mean abs diff " + diff);
      }
      assertEquals(0xC2, JpegMarkers.parse(TestImages.jpeg(PICTURE, JpegKind.PROGRESSIVE_420)).sof());
      assertEquals(1, JpegMarkers.parse(TestImages.jpeg(PICTURE, JpegKind.BASELINE_444)).maxVSampling());
      assertEquals(2, JpegMarkers.parse(TestImages.jpeg(PICTURE, JpegKind.BASELINE_420)).maxVSampling());
    }
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void grayscaleComesOutAsEqualRgbWithoutAGammaShift(boolean libjpegTurbo) throws Exception {
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      RgbImage img = d.decode(TestImages.jpeg(PICTURE, JpegKind.GRAY));
      double diff = 0;
      for (int y = 0; y < 90; y++) {
        for (int x = 0; x < 120; x++) {
          assertEquals(img.at(y, x, 0), img.at(y, x, 1));
          assertEquals(img.at(y, x, 0), img.at(y, x, 2));
          int luma = ColorLuma.of(REFERENCE.at(y, x, 0), REFERENCE.at(y, x, 1), REFERENCE.at(y, x, 2));
          diff += Math.abs(img.at(y, x, 0) - luma);
        }
      }
      // ImageIO's getRGB would brighten grey (it treats it as linear light); the samples must pass as stored.
      assertTrue(diff / (120 * 90) < 2.5, "grey differs from the luma by " + diff / (120 * 90));
    }
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void photoshopCmykAndYcckMatchTheRgbOriginalAsPillowConvertsThem(boolean libjpegTurbo) throws Exception {
    WritableRaster cmyk = TestImages.photoshopCmyk(REFERENCE);
    byte[] plain = TestImages.fourChannelJpeg(cmyk); // no APP14: libjpeg reads it as CMYK
    byte[] adobeCmyk = TestImages.withAdobeMarker(plain, 0);
    byte[] adobeYcck = TestImages.withAdobeMarker(TestImages.fourChannelJpeg(TestImages.toYcck(cmyk)), 2);
    assertEquals(-1, JpegMarkers.parse(plain).adobeTransform());
    assertEquals(2, JpegMarkers.parse(adobeYcck).adobeTransform());
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      for (byte[] jpeg : new byte[][] {plain, adobeCmyk, adobeYcck}) {
        RgbImage img = d.decode(jpeg);
        double diff = TestImages.meanAbsDiff(REFERENCE, img);
        assertTrue(diff < 3.0, "CMYK/YCCK decode differs from the RGB original by " + diff);
      }
      // Pillow assumes inverted (Adobe) samples with or without the marker, so both read the same.
      assertTrue(TestImages.meanAbsDiff(d.decode(plain), d.decode(adobeCmyk)) < 0.01);
    }
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void trailingGarbageAfterTheEndMarkerIsIgnored(boolean libjpegTurbo) throws Exception {
    byte[] jpeg = TestImages.jpeg(PICTURE, JpegKind.BASELINE_420);
    byte[] junk = Arrays.copyOf(jpeg, jpeg.length + 5000);
    for (int i = jpeg.length; i < junk.length; i++) {
      junk[i] = (byte) (i * 31);
    }
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      assertEquals(0.0, TestImages.meanAbsDiff(d.decode(jpeg), d.decode(junk)));
    }
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void truncatedScanDataIsRefusedLikePillowDoes(boolean libjpegTurbo) throws Exception {
    byte[] jpeg = TestImages.jpeg(PICTURE, JpegKind.BASELINE_420);
    // libjpeg would fill the missing rows with grey and warn; Pillow raises "image file is
    // truncated", so a half image goes to the dead letters instead of into training.
    byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      var e = assertThrows(UndecodableImageException.class, () -> d.decode(cut));
      assertTrue(e.getMessage().startsWith("corrupt or truncated image"), e.getMessage());
      assertTrue(e.getMessage().contains("the data ends before the image is complete"), e.getMessage());
      assertThrows(UndecodableImageException.class, () -> d.decode(Arrays.copyOf(jpeg, 200)));
    }
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void aHeaderDeclaring20000x20000IsRefusedBeforeAnyPixelBuffer(boolean libjpegTurbo) throws Exception {
    byte[] jpeg = TestImages.jpeg(PICTURE, JpegKind.BASELINE_420);
    JpegMarkers m = JpegMarkers.parse(jpeg);
    byte[] huge = jpeg.clone();
    int at = m.sofOffset() + 5; // FF C0, length, precision, then height and width, big-endian
    huge[at] = huge[at + 2] = (byte) (20000 >> 8);
    huge[at + 1] = huge[at + 3] = (byte) 20000;
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      long before = d.nativeBytes();
      var e = assertThrows(UndecodableImageException.class, () -> d.decode(huge));
      assertTrue(e.getMessage().contains("20000x20000 = 400000000 pixels"), e.getMessage());
      // Only the input copy exists; a 1.2 GB output buffer was never asked for.
      assertTrue(d.nativeBytes() - before <= Math.max(huge.length, 256 * 1024), "native bytes " + d.nativeBytes());
    }
  }

  @ParameterizedTest(name = "libjpeg-turbo={0}")
  @ValueSource(booleans = {true, false})
  void corruptedBytesDecodeOrFailWithAReasonButNeverCrash(boolean libjpegTurbo) throws Exception {
    byte[] jpeg = TestImages.jpeg(PICTURE, JpegKind.BASELINE_420);
    byte[] progressive = TestImages.jpeg(PICTURE, JpegKind.PROGRESSIVE_420);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
    int refused = 0;
    try (ImageDecoder d = decoder(libjpegTurbo)) {
      for (int i = 0; i < 300; i++) {
        byte[] bad = (i % 2 == 0 ? jpeg : progressive).clone();
        for (int k = 0; k < 1 + rng.nextInt(8); k++) { // header bytes included: sizes, tables, markers
          bad[rng.nextInt(bad.length)] = (byte) rng.nextInt(256);
        }
        if (i % 5 == 0) {
          bad = Arrays.copyOf(bad, 2 + rng.nextInt(bad.length - 2));
        }
        try {
          ImageHeader h = d.header(bad);
          RgbPixels px = d.decode(bad, h, ScaleFactor.ONE, 1 + rng.nextInt(90)).pixels();
          assertTrue(px.width() > 0 && px.height() > 0);
        } catch (UndecodableImageException e) {
          assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
          refused++;
        }
      }
    }
    assertTrue(refused > 0, "some of 300 corruptions must be refused");
  }

  /** Pillow's RGB to L, for checking grey decodes. */
  private static final class ColorLuma {
    static int of(int r, int g, int b) {
      return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
  }
}
