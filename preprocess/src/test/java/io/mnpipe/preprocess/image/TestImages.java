package io.mnpipe.preprocess.image;

import io.mnpipe.preprocess.bench.SyntheticPhotos;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Seeds in, test images and their encodings out: smooth photos, CMYK/YCCK JPEGs, raw RGB. */
final class TestImages {
  private TestImages() {}

  /** A smooth picture (gradients and soft discs, no grain), so JPEG error stays small. */
  static BufferedImage smooth(int w, int h, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    double[][] c = new double[4][3];
    for (double[] cc : c) {
      for (int k = 0; k < 3; k++) {
        cc[k] = 30 + 195 * rng.nextDouble();
      }
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double u = (double) x / w;
        double v = (double) y / h;
        int[] rgb = new int[3];
        for (int k = 0; k < 3; k++) {
          double t = c[0][k] * (1 - u) * (1 - v) + c[1][k] * u * (1 - v) + c[2][k] * (1 - u) * v + c[3][k] * u * v;
          rgb[k] = (int) Math.round(t + 20 * Math.sin(x / 9.0 + k) * Math.cos(y / 11.0));
        }
        img.setRGB(x, y, clamp(rgb[0]) << 16 | clamp(rgb[1]) << 8 | clamp(rgb[2]));
      }
    }
    return img;
  }

  static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /** The picture as packed RGB, the reference decodes are compared with. */
  static RgbImage rgb(BufferedImage img) {
    return ImageIoDecoder.toRgb(img);
  }

  static byte[] jpeg(BufferedImage img, SyntheticPhotos.JpegKind kind) {
    return SyntheticPhotos.jpeg(img, 0.95f, kind);
  }

  /** Mean absolute difference per sample. */
  static double meanAbsDiff(RgbImage a, RgbImage b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new AssertionError("sizes differ: " + a.width() + "x" + a.height() + " vs " + b.width() + "x" + b.height());
    }
    long sum = 0;
    for (int i = 0; i < a.rgb().length; i++) {
      sum += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
    }
    return (double) sum / a.rgb().length;
  }

  /**
   * The picture as the stored samples of a Photoshop CMYK JPEG (ink inverted: stored = 255 - ink),
   * chosen so that Pillow's conversion, R = storedK * storedC / 255 (approximately), gives the
   * picture back: storedK = max(R, G, B), storedC = R * 255 / storedK.
   */
  static WritableRaster photoshopCmyk(RgbImage img) {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, img.width(), img.height(), 4, null);
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        int k = Math.max(img.at(y, x, 0), Math.max(img.at(y, x, 1), img.at(y, x, 2)));
        for (int c = 0; c < 3; c++) {
          r.setSample(x, y, c, k == 0 ? 255 : clamp((int) Math.round(img.at(y, x, c) * 255.0 / k)));
        }
        r.setSample(x, y, 3, k);
      }
    }
    return r;
  }

  /** The same stored CMYK as YCCK samples: libjpeg turns YCC back into 255 - (C, M, Y). */
  static WritableRaster toYcck(WritableRaster cmyk) {
    WritableRaster r = cmyk.createCompatibleWritableRaster();
    for (int y = 0; y < cmyk.getHeight(); y++) {
      for (int x = 0; x < cmyk.getWidth(); x++) {
        double red = 255 - cmyk.getSample(x, y, 0);
        double green = 255 - cmyk.getSample(x, y, 1);
        double blue = 255 - cmyk.getSample(x, y, 2);
        r.setSample(x, y, 0, clamp((int) Math.round(0.299 * red + 0.587 * green + 0.114 * blue)));
        r.setSample(x, y, 1, clamp((int) Math.round(-0.168736 * red - 0.331264 * green + 0.5 * blue + 128)));
        r.setSample(x, y, 2, clamp((int) Math.round(0.5 * red - 0.418688 * green - 0.081312 * blue + 128)));
        r.setSample(x, y, 3, cmyk.getSample(x, y, 3));
      }
    }
    return r;
  }

  /** A 4-band raster as a JPEG exactly as stored (ImageIO writes no colour conversion, no APP14). */
  static byte[] fourChannelJpeg(Raster raster) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(0.97f);
      writer.write(null, new IIOImage(raster, null, null), p);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Inserts an Adobe APP14 segment (version 100, the given transform) right after SOI. */
  static byte[] withAdobeMarker(byte[] jpeg, int transform) {
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
    byte[] out = new byte[jpeg.length + app14.length];
    System.arraycopy(jpeg, 0, out, 0, 2);
    System.arraycopy(app14, 0, out, 2, app14.length);
    System.arraycopy(jpeg, 2, out, 2 + app14.length, jpeg.length - 2);
    return out;
  }
}
