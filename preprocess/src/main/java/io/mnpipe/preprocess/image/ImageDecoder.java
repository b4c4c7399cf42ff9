package io.mnpipe.preprocess.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Encoded bytes (JPEG, PNG, any format ImageIO reads) in, {@link RgbImage} out. The header is read
 * first so that an image declaring more than {@code maxPixels} is refused before any allocation.
 */
public final class ImageDecoder {
  /** 100 megapixels: far above any real photo, far below what would exhaust a TaskManager. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
  private final long maxPixels;

  public ImageDecoder(long maxPixels) {
    this.maxPixels = maxPixels;
  }

  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  public RgbImage decode(byte[] bytes) throws UndecodableImageException {
    if (bytes == null || bytes.length == 0) {
      throw new UndecodableImageException("empty input (0 bytes)");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new UndecodableImageException("not an image: no decoder recognises the first bytes "
            + hex(bytes, 8) + " (" + bytes.length + " bytes)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > maxPixels) {
          throw new UndecodableImageException("header declares " + reader.getWidth(0) + "x" + reader.getHeight(0)
              + " = " + pixels + " pixels, above the limit of " + maxPixels);
        }
        return toRgb(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new UndecodableImageException(reason(e), e);
    }
  }

  private static String reason(Exception e) {
    String kind = e instanceof IOException ? "corrupt or truncated image" : "decoder failed";
    return kind + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  /** Any colour model in, packed RGB out. */
  static RgbImage toRgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < rgb.length; i += 3) {
        rgb[i] = bgr[i + 2];
        rgb[i + 1] = bgr[i + 1];
        rgb[i + 2] = bgr[i];
      }
      return new RgbImage(w, h, rgb);
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int o = (y * w + x) * 3;
        rgb[o] = (byte) (p >> 16);
        rgb[o + 1] = (byte) (p >> 8);
        rgb[o + 2] = (byte) p;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private static String hex(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(n, b.length); i++) {
      s.append(String.format("%02x", b[i]));
    }
    return s.toString();
  }
}
