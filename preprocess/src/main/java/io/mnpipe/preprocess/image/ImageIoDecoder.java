package io.mnpipe.preprocess.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Encoded bytes in (PNG, and JPEG or any other format ImageIO reads), full-size {@link RgbImage}
 * out, with Pillow's colour semantics: samples are taken as stored (no ICC or gamma conversion,
 * which ImageIO's getRGB would apply to grey images), 16-bit samples keep their high byte, alpha
 * is dropped, 4-channel JPEGs go through {@link CmykToRgb}. The fallback behind libjpeg-turbo.
 */
final class ImageIoDecoder {
  private ImageIoDecoder() {}

  /** Width and height from the header alone; refuses more than maxPixels before decoding. */
  static long[] size(byte[] bytes) throws UndecodableImageException {
    return withReader(bytes, r -> new long[] {r.getWidth(0), r.getHeight(0)});
  }

  /** Decodes the first image of {@code bytes}, refusing headers above maxPixels first. */
  static RgbImage decode(byte[] bytes, long maxPixels) throws UndecodableImageException {
    return withReader(bytes, r -> {
      ImageDecoder.checkPixels(r.getWidth(0), r.getHeight(0), maxPixels);
      StringBuilder truncated = new StringBuilder();
      r.addIIOReadWarningListener(new IIOReadWarningListener() {
        @Override
        public void warningOccurred(ImageReader source, String warning) {
          // libjpeg's own text, or ImageIO's for the same event (its source ran out before EOI)
          if (warning != null && (warning.startsWith("Premature end") || warning.contains("Missing EOI"))) {
            truncated.append(warning);
          }
        }
      });
      JpegMarkers jpeg = "jpeg".equalsIgnoreCase(r.getFormatName()) ? JpegMarkers.parse(bytes) : null;
      RgbImage img = jpeg != null && jpeg.components() == 4 ? cmyk(r.readRaster(0, null), jpeg) : toRgb(r.read(0));
      if (truncated.length() > 0) {
        throw new UndecodableImageException("corrupt or truncated image: the data ends before the image is "
            + "complete (ImageIO: " + truncated + "); Pillow/torchvision refuse such files too");
      }
      return img;
    });
  }

  private interface ReaderTask<T> {
    T run(ImageReader reader) throws IOException, UndecodableImageException;
  }

  private static <T> T withReader(byte[] bytes, ReaderTask<T> task) throws UndecodableImageException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new UndecodableImageException("not an image: no decoder recognises the first bytes "
            + hex(bytes, 8) + " (" + bytes.length + " bytes)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return task.run(reader);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      String kind = e instanceof IOException ? "corrupt or truncated image" : "decoder failed";
      throw new UndecodableImageException(kind + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage()), e);
    }
  }

  /** A raw 4-band JPEG raster (CMYK, or YCCK when Adobe says so) to RGB. */
  private static RgbImage cmyk(Raster raster, JpegMarkers jpeg) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] cmyk = new byte[w * 4];
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w * 4];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int i = 0; i < row.length; i++) {
        cmyk[i] = (byte) row[i];
      }
      if (jpeg.adobeTransform() == 2) {
        CmykToRgb.ycckToCmyk(cmyk, 0, w);
      }
      CmykToRgb.convert(cmyk, 0, rgb, y * w * 3, w);
    }
    return new RgbImage(w, h, rgb);
  }

  /** Any BufferedImage to packed RGB, reading stored samples where the colour model allows. */
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
    if (img.getColorModel() instanceof ComponentColorModel cm && cm.getNumColorComponents() <= 3) {
      int type = cm.getColorSpace().getType();
      int bits = img.getSampleModel().getSampleSize(0);
      if ((type == ColorSpace.TYPE_GRAY || type == ColorSpace.TYPE_RGB) && (bits == 8 || bits == 16)) {
        rawSamples(img.getRaster(), type == ColorSpace.TYPE_GRAY, bits - 8, rgb);
        return new RgbImage(w, h, rgb);
      }
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

  private static void rawSamples(Raster r, boolean gray, int shift, byte[] rgb) {
    int w = r.getWidth();
    int bands = r.getNumBands();
    int[] row = new int[w * bands];
    for (int y = 0; y < r.getHeight(); y++) {
      r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 3;
        int s = x * bands;
        if (gray) {
          rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) (row[s] >> shift);
        } else {
          rgb[o] = (byte) (row[s] >> shift);
          rgb[o + 1] = (byte) (row[s + 1] >> shift);
          rgb[o + 2] = (byte) (row[s + 2] >> shift);
        }
      }
    }
  }

  static String hex(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(n, b.length); i++) {
      s.append(String.format("%02x", b[i]));
    }
    return s.toString();
  }
}
