package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.preprocess.image.RgbPixels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A box of an image in, that box resampled to {@code outW x outH} out, optionally mirrored, with
 * PIL's antialiased bilinear (triangle) filter as torchvision's crop-then-resize applies it: the
 * filter widens with the downscale factor, so shrinking a 500 px photo to 64 px does not alias,
 * and taps stay inside the box. The box may be fractional, which is how a crop drawn on the full
 * image lands in a DCT-scaled decode.
 *
 * <p>Speed, in plain Java 17: the three channels of a pixel are packed into one long (21 bits
 * each), so one multiply-add filters R, G and B at once; that needs 13-bit weights (255 * 2^13
 * fits 21 bits) where PIL keeps 22. Both passes run as "add weight times a whole row" loops,
 * which C2 vectorises: the vertical pass over packed source rows, then, on the transposed result,
 * the horizontal pass; the transposes are folded into the stores that round each pass to 8 bits.
 * Rounding to 8 bits between passes is PIL's too, but PIL runs horizontal first: a value may
 * differ from PIL's by one level.
 */
public final class Resize {
  static final int WEIGHT_BITS = 13;
  private static final long BYTES = 0xFFL | 0xFFL << 21 | 0xFFL << 42;
  /** 0.5 in every lane: rounds each channel to nearest when shifted down. */
  private static final long HALF = (1L << (WEIGHT_BITS - 1)) * (1 | 1L << 21 | 1L << 42);
  /** Reads and writes 8 bytes of a byte[] at once (little-endian), for packing and unpacking. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Output rows computed together, so the transposing store touches each column array once per block. */
  private static final int BLOCK = 4;

  private Resize() {}

  /** Reusable work buffers: one per thread, so a steady stream of resizes allocates only its outputs. */
  public static final class Scratch {
    private byte[] window = new byte[0];
    private long[][] ring = new long[0][];
    private long[][] columns = new long[0][];
    private long[] acc = new long[0];
    private long[][] blockAcc = new long[0][];

    byte[] window(int n) {
      return window.length >= n ? window : (window = new byte[n]);
    }

    long[][] ring(int n, int width) {
      return ring = rows(ring, n, width);
    }

    long[][] columns(int n, int height) {
      return columns = rows(columns, n, height);
    }

    long[] acc(int n) {
      return acc.length >= n ? acc : (acc = new long[n]);
    }

    long[][] blockAcc(int width) {
      return blockAcc = rows(blockAcc, BLOCK, width);
    }

    /** n arrays of at least len longs: separate arrays, so "acc[i] += w * row[i]" has no offset to alias. */
    private static long[][] rows(long[][] rows, int n, int len) {
      if (rows.length < n) {
        rows = Arrays.copyOf(rows, n);
      }
      for (int i = 0; i < n; i++) {
        if (rows[i] == null || rows[i].length < len) {
          rows[i] = new long[len];
        }
      }
      return rows;
    }
  }

  /** Resamples the integer box (x0, y0, w, h) of {@code src} to outW x outH. */
  public static RgbImage box(RgbImage src, int x0, int y0, int w, int h, int outW, int outH) {
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > src.width() || y0 + h > src.height()) {
      throw new IllegalArgumentException("box " + x0 + "," + y0 + " " + w + "x" + h + " outside "
          + src.width() + "x" + src.height());
    }
    return box(src, x0, y0, w, h, outW, outH, false, new Scratch());
  }

  /** Whole image to outW x outH. */
  public static RgbImage to(RgbImage src, int outW, int outH) {
    return box(src, 0, 0, src.width(), src.height(), outW, outH);
  }

  /**
   * Resamples the box (x0, y0, w, h), in pixels of {@code src} and possibly fractional, to
   * outW x outH, mirrored left-right when {@code flip}. Only the box is read from {@code src}.
   */
  public static RgbImage box(RgbPixels src, double x0, double y0, double w, double h, int outW, int outH,
      boolean flip, Scratch scratch) {
    double eps = 1e-6; // a box mapped through a DCT scale may overshoot the edge by rounding
    if (!(x0 >= 0 && y0 >= 0 && w > 0 && h > 0 && x0 + w <= src.width() + eps && y0 + h <= src.height() + eps)
        || outW < 1 || outH < 1) {
      throw new IllegalArgumentException("box " + x0 + "," + y0 + " " + w + "x" + h + " outside "
          + src.width() + "x" + src.height() + " (or output " + outW + "x" + outH + " empty)");
    }
    Coefficients cx = Coefficients.of(x0, w, src.width(), outW);
    Coefficients cy = Coefficients.of(y0, h, src.height(), outH);
    byte[] pixels = src.heapRgb();
    int stride = src.width() * 3;
    int origin = 0; // index of (cx.lo, cy.lo) in pixels
    if (pixels == null) { // native pixels: copy just the window the filters read
      stride = (cx.hi - cx.lo) * 3;
      pixels = scratch.window(stride * (cy.hi - cy.lo));
      src.copyWindow(cx.lo, cy.lo, cx.hi, cy.hi, pixels);
    } else {
      origin = cy.lo * stride + cx.lo * 3;
    }
    long[][] columns = scratch.columns(cx.hi - cx.lo, outH);
    vertical(pixels, origin, stride, cx.hi - cx.lo, cy, scratch, columns);
    byte[] out = new byte[outW * outH * 3];
    horizontal(columns, cx, outH, flip, scratch.acc(outH), out);
    return new RgbImage(outW, outH, out);
  }

  /**
   * The vertical pass: for each output row, the weighted sum of whole packed source rows, rounded
   * to 8 bits and stored transposed (columns[x][oy]) for the horizontal pass. Source rows are
   * packed once each, on first use, into a small ring (the taps only move down).
   */
  static void vertical(byte[] src, int origin, int stride, int winW, Coefficients cy, Scratch scratch,
      long[][] columns) {
    int n = cy.taps;
    int outH = cy.first.length;
    int ringSize = n + 1; // each output's n rows are packed right before it uses them
    long[][] ring = scratch.ring(ringSize, winW);
    long[][] acc = scratch.blockAcc(winW);
    int packed = cy.lo;
    for (int oy0 = 0; oy0 < outH; oy0 += BLOCK) {
      int rows = Math.min(BLOCK, outH - oy0);
      for (int b = 0; b < rows; b++) {
        int oy = oy0 + b;
        int f = cy.first[oy];
        for (; packed < f + n; packed++) {
          pack(src, origin + (packed - cy.lo) * stride, winW, ring[packed % ringSize]);
        }
        Arrays.fill(acc[b], 0, winW, HALF);
        for (int k = 0; k < n; k++) {
          multiplyAdd(acc[b], cy.weights[oy * n + k], ring[(f + k) % ringSize], winW);
        }
      }
      transposeBlock(acc, rows, winW, columns, oy0);
    }
  }

  /** Rounds a block of accumulator rows to 8 bits and stores them transposed: columns[x][oy0 + b]. */
  private static void transposeBlock(long[][] acc, int rows, int winW, long[][] columns, int oy0) {
    if (rows == BLOCK) {
      long[] a0 = acc[0];
      long[] a1 = acc[1];
      long[] a2 = acc[2];
      long[] a3 = acc[3];
      for (int x = 0; x < winW; x++) {
        long[] col = columns[x];
        col[oy0] = (a0[x] >>> WEIGHT_BITS) & BYTES;
        col[oy0 + 1] = (a1[x] >>> WEIGHT_BITS) & BYTES;
        col[oy0 + 2] = (a2[x] >>> WEIGHT_BITS) & BYTES;
        col[oy0 + 3] = (a3[x] >>> WEIGHT_BITS) & BYTES;
      }
      return;
    }
    for (int b = 0; b < rows; b++) {
      for (int x = 0; x < winW; x++) {
        columns[x][oy0 + b] = (acc[b][x] >>> WEIGHT_BITS) & BYTES;
      }
    }
  }

  /**
   * The horizontal pass on the transposed rows: each output column is a weighted sum of whole
   * source columns; written out as RGB bytes, mirrored when {@code flip} (free: the flip only
   * permutes output columns). Columns go left to right so each 8-byte store only spills into
   * bytes that a later store overwrites.
   */
  static void horizontal(long[][] columns, Coefficients cx, int outH, boolean flip, long[] acc, byte[] out) {
    int n = cx.taps;
    int outW = cx.first.length;
    int rowBytes = outW * 3;
    for (int col = 0; col < outW; col++) {
      int ox = flip ? outW - 1 - col : col;
      Arrays.fill(acc, 0, outH, HALF);
      for (int k = 0; k < n; k++) {
        multiplyAdd(acc, cx.weights[ox * n + k], columns[cx.first[ox] + k - cx.lo], outH);
      }
      int o = col * 3;
      if (col < outW - 2) { // an 8-byte store stays inside this row
        for (int oy = 0; oy < outH; oy++, o += rowBytes) {
          long v = acc[oy] >>> WEIGHT_BITS;
          LONGS.set(out, o, (v & 0xff) | (v >>> 13 & 0xff00) | (v >>> 26 & 0xff0000));
        }
      } else {
        for (int oy = 0; oy < outH; oy++, o += rowBytes) {
          long v = acc[oy] >>> WEIGHT_BITS;
          out[o] = (byte) v;
          out[o + 1] = (byte) (v >>> 21);
          out[o + 2] = (byte) (v >>> 42);
        }
      }
    }
  }

  /** acc += w * row over n elements; same index on both sides, so C2 can vectorise it. */
  private static void multiplyAdd(long[] acc, long w, long[] row, int n) {
    for (int i = 0; i < n; i++) {
      acc[i] += w * row[i];
    }
  }

  /** n RGB pixels from src[p] into {@code packed}, one 8-byte load per pixel where the array allows. */
  private static void pack(byte[] src, int p, int n, long[] packed) {
    int x = 0;
    int wide = Math.min(n, Math.floorDiv(src.length - 8 - p, 3) + 1); // pixels whose 8-byte load fits
    for (; x < wide; x++, p += 3) {
      long v = (long) LONGS.get(src, p);
      packed[x] = (v & 0xff) | (v & 0xff00) << 13 | (v & 0xff0000) << 26;
    }
    for (; x < n; x++, p += 3) {
      packed[x] = (src[p] & 0xff) | (long) (src[p + 1] & 0xff) << 21 | (long) (src[p + 2] & 0xff) << 42;
    }
  }

  /**
   * Per output pixel: first input index and {@code taps} weights in 13-bit fixed point summing to
   * exactly 2^13 (so no channel can overflow its lane); [lo, hi) is the input range any tap reads.
   * PIL's precompute_coeffs, with the taps kept inside the box [start, start + length) as
   * torchvision's crop-then-resize does.
   */
  static final class Coefficients {
    final int[] first;
    final long[] weights;
    final int taps;
    final int lo;
    final int hi;

    private Coefficients(int[] first, long[] weights, int taps, int lo, int hi) {
      this.first = first;
      this.weights = weights;
      this.taps = taps;
      this.lo = lo;
      this.hi = hi;
    }

    static Coefficients of(double start, double length, int inSize, int outSize) {
      double scale = length / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = filterScale; // the triangle's support is 1 at unit scale
      int boxLo = Math.max(0, (int) Math.floor(start));
      int boxHi = Math.min(inSize, Math.max(boxLo + 1, (int) Math.ceil(start + length - 1e-9)));
      int maxTaps = Math.min((int) Math.ceil(support) * 2 + 1, boxHi - boxLo);
      int[] lo = new int[outSize];
      int[] count = new int[outSize];
      double[] w = new double[outSize * maxTaps];
      int taps = 1;
      for (int o = 0; o < outSize; o++) {
        double center = start + (o + 0.5) * scale;
        int xmin = Math.max((int) (center - support + 0.5), boxLo);
        int xmax = Math.min((int) (center + support + 0.5), boxHi);
        int n = Math.max(1, Math.min(xmax - xmin, maxTaps));
        xmin = Math.min(xmin, boxHi - n);
        triangle(xmin, n, center, filterScale, w, o * maxTaps);
        lo[o] = xmin;
        count[o] = n;
        taps = Math.max(taps, n);
      }
      int[] first = new int[outSize];
      long[] weights = new long[outSize * taps];
      for (int o = 0; o < outSize; o++) {
        // Pad to the common tap count with zero weights, sliding left at the box's right edge.
        first[o] = Math.min(lo[o], boxHi - taps);
        quantise(w, o * maxTaps, count[o], weights, o * taps + (lo[o] - first[o]));
      }
      return new Coefficients(first, weights, taps, boxLo, boxHi);
    }

    /** PIL's triangle weights for taps xmin..xmin+n-1 around {@code center}, normalised to sum 1, into w[at..]. */
    private static void triangle(int xmin, int n, double center, double filterScale, double[] w, int at) {
      double sum = 0;
      for (int k = 0; k < n; k++) {
        double x = Math.abs((xmin + k - center + 0.5) / filterScale);
        w[at + k] = x < 1 ? 1 - x : 0;
        sum += w[at + k];
      }
      for (int k = 0; k < n; k++) {
        w[at + k] = sum > 0 ? w[at + k] / sum : (k == 0 ? 1 : 0);
      }
    }

    /** Rounds n weights to 13 bits and puts the rounding residue on the largest, so they sum to 2^13. */
    private static void quantise(double[] w, int from, int n, long[] out, int at) {
      long one = 1L << WEIGHT_BITS;
      long sum = 0;
      int largest = 0;
      for (int k = 0; k < n; k++) {
        out[at + k] = Math.round(w[from + k] * one);
        sum += out[at + k];
        largest = w[from + k] > w[from + largest] ? k : largest;
      }
      out[at + largest] += one - sum;
    }
  }
}
