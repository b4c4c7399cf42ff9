package io.mnpipe.preprocess.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.source.SyntheticDataset;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder();

  private static BufferedImage solid(int w, int h, Color c, int type) {
    BufferedImage img = new BufferedImage(w, h, type);
    var g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  @Test
  void jpegDecodesToRgbInTheRightChannelOrder() throws Exception {
    byte[] jpeg = SyntheticDataset.jpeg(solid(40, 30, new Color(200, 30, 60), BufferedImage.TYPE_3BYTE_BGR));
    RgbImage img = decoder.decode(jpeg);
    assertEquals(40, img.width());
    assertEquals(30, img.height());
    assertEquals(200, img.at(15, 20, 0), 4);
    assertEquals(30, img.at(15, 20, 1), 4);
    assertEquals(60, img.at(15, 20, 2), 4);
  }

  @Test
  void pngWithAlphaDecodesLosslessly() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(solid(8, 8, new Color(1, 2, 3, 255), BufferedImage.TYPE_INT_ARGB), "png", out);
    RgbImage img = decoder.decode(out.toByteArray());
    assertEquals(1, img.at(7, 7, 0));
    assertEquals(2, img.at(7, 7, 1));
    assertEquals(3, img.at(7, 7, 2));
  }

  @Test
  void garbageTruncationAndOversizeAreReasonedRefusals() {
    var notImage = assertThrows(UndecodableImageException.class, () -> decoder.decode("hello".getBytes()));
    assertTrue(notImage.getMessage().startsWith("not an image"), notImage.getMessage());
    byte[] jpeg = SyntheticDataset.jpeg(solid(400, 300, Color.BLUE, BufferedImage.TYPE_3BYTE_BGR));
    var truncated = assertThrows(UndecodableImageException.class,
        () -> decoder.decode(Arrays.copyOf(jpeg, 300)));
    assertTrue(truncated.getMessage().contains("corrupt or truncated"), truncated.getMessage());
    var big = assertThrows(UndecodableImageException.class, () -> new ImageDecoder(1000).decode(jpeg));
    assertTrue(big.getMessage().contains("120000 pixels"), big.getMessage());
    assertThrows(UndecodableImageException.class, () -> decoder.decode(new byte[0]));
  }
}
