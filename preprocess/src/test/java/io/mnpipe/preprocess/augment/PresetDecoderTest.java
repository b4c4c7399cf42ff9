package io.mnpipe.preprocess.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mnpipe.preprocess.bench.SyntheticPhotos;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.preprocess.image.ScaleFactor;
import io.mnpipe.preprocess.image.UndecodableImageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bytes to augmented view in one call, with reduced-size decoding where the crop allows it. */
class PresetDecoderTest {
  private static final byte[] BIG = SyntheticPhotos.jpeg(
      SyntheticPhotos.photo(1200, 900, new SplittableRandom(5)), 0.9f, SyntheticPhotos.JpegKind.BASELINE_420);
  private static final byte[] IMAGENET_SIZED = SyntheticPhotos.jpeg(
      SyntheticPhotos.photo(500, 375, new SplittableRandom(6)), 0.9f, SyntheticPhotos.JpegKind.BASELINE_420);

  private static double meanAbsDiff(RgbImage a, RgbImage b) {
    long sum = 0;
    for (int i = 0; i < a.rgb().length; i++) {
      sum += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
    }
    return (double) sum / a.rgb().length;
  }

  @Test
  void aSmallViewOfABigImageDecodesAtADctScaleAndMatchesTheFullDecode() throws Exception {
    assumeTrue(ImageDecoder.libjpegTurboAvailable(), "libturbojpeg0 not installed");
    // eval at 64: the 789 px centre box (900 * 64 / 73) still spans 98 px at 1/8, so 1/8 is chosen.
    AugmentPreset eval = AugmentPreset.eval(64);
    try (PresetDecoder pd = new PresetDecoder(eval); ImageDecoder full = new ImageDecoder()) {
      RgbImage reduced = pd.decodeAndAugment(BIG, "k", 1);
      assertEquals(new ScaleFactor(1, 8), pd.lastScale());
      RgbImage reference = eval.apply(full.decode(BIG), "k", 1);
      double diff = meanAbsDiff(reference, reduced);
      assertTrue(diff < 2.0, "1/8 DCT decode + resize vs full decode + resize: mean abs diff " + diff);
    }
  }

  @Test
  void trainCropsPickTheSmallestScaleThatKeepsTheCropAtLeastSizePixels() throws Exception {
    assumeTrue(ImageDecoder.libjpegTurboAvailable(), "libturbojpeg0 not installed");
    AugmentPreset train = AugmentPreset.train(112, 9);
    int reducedCount = 0;
    try (PresetDecoder pd = new PresetDecoder(train); ImageDecoder full = new ImageDecoder()) {
      RgbImage whole = full.decode(BIG);
      for (int i = 0; i < 12; i++) {
        String key = "img" + i;
        RgbImage view = pd.decodeAndAugment(BIG, key, 2);
        CropBox b = train.plan(1200, 900, key, 2).box();
        ScaleFactor s = pd.lastScale();
        assertTrue(s.value() * b.width() >= 112 && s.value() * b.height() >= 112, s + " loses resolution on " + b);
        boolean halfWouldDo = s.value() / 2 * b.width() >= 112 && s.value() / 2 * b.height() >= 112;
        assertTrue(!halfWouldDo || s.num() * 8 == s.denom(), s + " is not the smallest for " + b);
        reducedCount += s.value() < 1 ? 1 : 0;
        double diff = meanAbsDiff(train.apply(whole, key, 2), view);
        assertTrue(diff < 2.5, "crop " + b + " at " + s + ": mean abs diff " + diff);
      }
    }
    assertTrue(reducedCount >= 6, "most crops of a 1200x900 image allow 1/2 or less at 112 px: " + reducedCount);
  }

  @Test
  void atFullScaleTheResultIsExactlyTheFullDecodeThroughTheSamePreset() throws Exception {
    // 500x375 at 224 never allows 1/2, so only the skipped rows below the crop differ, and they
    // are not read: results must be bit-identical to decoding everything first.
    AugmentPreset train = AugmentPreset.train(224, 3).withColorJitter(0.4);
    try (PresetDecoder pd = new PresetDecoder(train); ImageDecoder full = new ImageDecoder()) {
      RgbImage whole = full.decode(IMAGENET_SIZED);
      for (int i = 0; i < 10; i++) {
        RgbImage view = pd.decodeAndAugment(IMAGENET_SIZED, "k" + i, 1);
        assertEquals(ScaleFactor.ONE, pd.lastScale());
        assertArrayEquals(train.apply(whole, "k" + i, 1).rgb(), view.rgb(), "key k" + i);
      }
    }
  }

  @Test
  void survivesJavaSerialisationAsFlinkShipsFunctions() throws Exception {
    PresetDecoder pd = new PresetDecoder(AugmentPreset.train(32, 1), 10_000_000);
    RgbImage before = pd.decodeAndAugment(IMAGENET_SIZED, "a", 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(pd);
    }
    pd.close();
    try (PresetDecoder copy = (PresetDecoder) new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray())).readObject()) {
      assertArrayEquals(before.rgb(), copy.decodeAndAugment(IMAGENET_SIZED, "a", 1).rgb());
      var e = assertThrows(UndecodableImageException.class, () -> copy.decodeAndAugment(new byte[] {1, 2, 3}, "b", 1));
      assertTrue(e.getMessage().startsWith("not an image"), e.getMessage());
    }
  }
}
