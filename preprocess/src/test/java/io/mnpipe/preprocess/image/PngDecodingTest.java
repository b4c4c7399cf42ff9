package io.mnpipe.preprocess.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNGs in every layout ImageNet and user data hold, decoded by content, not by file name. */
class PngDecodingTest {
  private final ImageDecoder decoder = new ImageDecoder();

  private static byte[] png(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, "png", out)) {
      throw new IllegalStateException("no PNG writer for image type " + img.getType());
    }
    return out.toByteArray();
  }

  @Test
  void paletteDecodesToItsColours() throws Exception {
    byte[] r = {(byte) 255, 0, 10};
    byte[] g = {0, (byte) 128, 20};
    byte[] b = {0, 0, 30};
    BufferedImage img = new BufferedImage(6, 4, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
    img.getRaster().setSample(5, 3, 0, 1);
    img.getRaster().setSample(0, 0, 0, 2);
    RgbImage out = decoder.decode(png(img));
    assertEquals(0, out.at(3, 5, 0));
    assertEquals(128, out.at(3, 5, 1));
    assertEquals(10, out.at(0, 0, 0));
    assertEquals(30, out.at(0, 0, 2));
    assertEquals(255, out.at(1, 1, 0));
  }

  @Test
  void rgbaDropsAlphaWithoutCompositing() throws Exception {
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(1, 2, 0x10_C8_64_32); // alpha 16: Pillow's convert("RGB") keeps the colour as is
    RgbImage out = decoder.decode(png(img));
    assertEquals(200, out.at(2, 1, 0));
    assertEquals(100, out.at(2, 1, 1));
    assertEquals(50, out.at(2, 1, 2));
  }

  @Test
  void sixteenBitRgbAndGreyKeepTheHighByte() throws Exception {
    var rgb16 = new ImageTypeSpecifier(
        new java.awt.image.ComponentColorModel(java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
            false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT),
        new java.awt.image.PixelInterleavedSampleModel(DataBuffer.TYPE_USHORT, 1, 1, 3, 3, new int[] {0, 1, 2}));
    BufferedImage img = rgb16.createBufferedImage(3, 2);
    WritableRaster r = img.getRaster();
    r.setPixel(2, 1, new int[] {0xABCD, 0x1234, 0xFF00});
    RgbImage out = decoder.decode(png(img));
    assertEquals(0xAB, out.at(1, 2, 0));
    assertEquals(0x12, out.at(1, 2, 1));
    assertEquals(0xFF, out.at(1, 2, 2));

    BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
    grey.getRaster().setSample(0, 1, 0, 0x8080);
    RgbImage g = decoder.decode(png(grey));
    assertEquals(0x80, g.at(1, 0, 0)); // as stored: ImageIO's getRGB would return 0xBC for linear grey
    assertEquals(0x80, g.at(1, 0, 2));
  }

  @Test
  void aPngNamedJpegIsDecodedByItsContent(@TempDir Path dir) throws Exception {
    // ImageNet's n02105855_2933.JPEG is really a PNG.
    BufferedImage img = TestImages.smooth(30, 20, 1);
    Path file = dir.resolve("n02105855_2933.JPEG");
    Files.write(file, png(img));
    byte[] bytes = Files.readAllBytes(file);
    ImageHeader h = decoder.header(bytes);
    assertEquals(ImageHeader.Format.PNG, h.format());
    assertEquals(0.0, TestImages.meanAbsDiff(TestImages.rgb(img), decoder.decode(bytes)));
    assertTrue(decoder.scaleFactors(h).size() == 1, "PNGs decode at full size only");
  }
}
