package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;

/**
 * A box of an image in, that box resampled to {@code outW x outH} out, with PIL's antialiased
 * bilinear (triangle) filter: the filter widens with the downscale factor, as torchvision on PIL
 * images does, so shrinking a 500 px photo to 64 px does not alias.
 */
public final class Resize {
  private Resize() {}

  /** Resamples the box (x0, y0, w, h) of {@code src} to outW x outH. */
  public static RgbImage box(RgbImage src, int x0, int y0, int w, int h, int outW, int outH) {
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > src.width() || y0 + h > src.height()) {
      throw new IllegalArgumentException("box " + x0 + "," + y0 + " " + w + "x" + h + " outside "
          + src.width() + "x" + src.height());
    }
    Coefficients cx = Coefficients.of(x0, w, src.width(), outW);
    Coefficients cy = Coefficients.of(y0, h, src.height(), outH);
    // Horizontal pass over only the rows the vertical pass will read.
    int rowLo = cy.first[0];
    int rowHi = cy.first[outH - 1] + cy.count[outH - 1];
    float[] tmp = new float[(rowHi - rowLo) * outW * 3];
    byte[] in = src.rgb();
    int sw = src.width();
    for (int y = rowLo; y < rowHi; y++) {
      int rowBase = y * sw * 3;
      int tBase = (y - rowLo) * outW * 3;
      for (int ox = 0; ox < outW; ox++) {
        float r = 0;
        float g = 0;
        float b = 0;
        int first = cx.first[ox];
        int off = ox * cx.stride;
        for (int k = 0; k < cx.count[ox]; k++) {
          float wk = cx.weights[off + k];
          int p = rowBase + (first + k) * 3;
          r += wk * (in[p] & 0xff);
          g += wk * (in[p + 1] & 0xff);
          b += wk * (in[p + 2] & 0xff);
        }
        int t = tBase + ox * 3;
        tmp[t] = r;
        tmp[t + 1] = g;
        tmp[t + 2] = b;
      }
    }
    byte[] out = new byte[outW * outH * 3];
    int rowLen = outW * 3;
    for (int oy = 0; oy < outH; oy++) {
      int first = cy.first[oy] - rowLo;
      int off = oy * cy.stride;
      for (int i = 0; i < rowLen; i++) {
        float v = 0;
        for (int k = 0; k < cy.count[oy]; k++) {
          v += cy.weights[off + k] * tmp[(first + k) * rowLen + i];
        }
        out[oy * rowLen + i] = clamp(v);
      }
    }
    return new RgbImage(outW, outH, out);
  }

  /** Whole image to outW x outH. */
  public static RgbImage to(RgbImage src, int outW, int outH) {
    return box(src, 0, 0, src.width(), src.height(), outW, outH);
  }

  private static byte clamp(float v) {
    int i = Math.round(v);
    return (byte) (i < 0 ? 0 : Math.min(i, 255));
  }

  /** Per output pixel: first input index, number of taps, and normalised triangle weights. */
  static final class Coefficients {
    final int[] first;
    final int[] count;
    final float[] weights;
    final int stride;

    private Coefficients(int[] first, int[] count, float[] weights, int stride) {
      this.first = first;
      this.count = count;
      this.weights = weights;
      this.stride = stride;
    }

    static Coefficients of(int start, int length, int inSize, int outSize) {
      double scale = (double) length / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = filterScale; // the triangle filter's support is 1 at unit scale
      int stride = (int) Math.ceil(support) * 2 + 1;
      int[] first = new int[outSize];
      int[] count = new int[outSize];
      float[] weights = new float[outSize * stride];
      for (int o = 0; o < outSize; o++) {
        double center = start + (o + 0.5) * scale;
        int lo = Math.max((int) (center - support + 0.5), 0);
        int hi = Math.min((int) (center + support + 0.5), inSize);
        double sum = 0;
        int n = Math.min(hi - lo, stride);
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
          double x = Math.abs((lo + k - center + 0.5) / filterScale);
          w[k] = x < 1 ? 1 - x : 0;
          sum += w[k];
        }
        for (int k = 0; k < n; k++) {
          weights[o * stride + k] = (float) (sum > 0 ? w[k] / sum : 0);
        }
        first[o] = lo;
        count[o] = n;
      }
      return new Coefficients(first, count, weights, stride);
    }
  }
}
