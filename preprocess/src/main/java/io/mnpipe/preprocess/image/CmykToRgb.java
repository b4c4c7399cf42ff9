package io.mnpipe.preprocess.image;

/**
 * CMYK samples as libjpeg outputs them in, RGB out, exactly as Pillow (and so torchvision's
 * ImageNet loader) converts them. Photoshop writes CMYK JPEGs with every sample inverted
 * (stored = 255 - ink), and Pillow assumes that convention for every 4-channel JPEG ("CMYK;I"),
 * with or without the Adobe APP14 marker; its cmyk2rgb is then R = (255-K) - C*(255-K)/255 with
 * C = 255 - storedC and 255 - K = storedK. So R = storedK - muldiv255(255 - storedC, storedK):
 * ink-free white (stored 255, 255) gives 255. libjpeg itself never inverts; for Adobe YCCK files
 * it turns YCC back into (inverted) CMY first, which lands in the same convention.
 */
final class CmykToRgb {
  /** LUT[storedK << 8 | storedC]: 64 KiB, built once; exact Pillow arithmetic. */
  private static final byte[] LUT = new byte[256 * 256];

  static {
    for (int k = 0; k < 256; k++) {
      for (int c = 0; c < 256; c++) {
        int nk = k; // Pillow's 255 - K, where K = 255 - storedK
        int tmp = (255 - c) * nk + 128;
        int v = nk - (((tmp >> 8) + tmp) >> 8);
        LUT[k << 8 | c] = (byte) Math.max(0, Math.min(255, v));
      }
    }
  }

  private CmykToRgb() {}

  /** Converts {@code pixels} CMYK pixels at cmyk[cmykOff] into RGB at rgb[rgbOff]. */
  static void convert(byte[] cmyk, int cmykOff, byte[] rgb, int rgbOff, int pixels) {
    for (int p = 0; p < pixels; p++) {
      int s = cmykOff + 4 * p;
      int d = rgbOff + 3 * p;
      int k = (cmyk[s + 3] & 0xff) << 8;
      rgb[d] = LUT[k | (cmyk[s] & 0xff)];
      rgb[d + 1] = LUT[k | (cmyk[s + 1] & 0xff)];
      rgb[d + 2] = LUT[k | (cmyk[s + 2] & 0xff)];
    }
  }

  /**
   * Raw YCCK samples (as ImageIO's raster reader returns them) into the CMYK libjpeg would
   * output: C, M, Y = 255 - (JFIF YCbCr -> RGB), K unchanged. In place.
   */
  static void ycckToCmyk(byte[] ycck, int off, int pixels) {
    for (int p = 0; p < pixels; p++) {
      int s = off + 4 * p;
      double y = ycck[s] & 0xff;
      double cb = (ycck[s + 1] & 0xff) - 128.0;
      double cr = (ycck[s + 2] & 0xff) - 128.0;
      ycck[s] = (byte) (255 - clamp(y + 1.402 * cr));
      ycck[s + 1] = (byte) (255 - clamp(y - 0.344136 * cb - 0.714136 * cr));
      ycck[s + 2] = (byte) (255 - clamp(y + 1.772 * cb));
    }
  }

  private static int clamp(double v) {
    long r = Math.round(v);
    return (int) (r < 0 ? 0 : Math.min(r, 255));
  }
}
