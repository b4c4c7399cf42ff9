package io.mnpipe.preprocess.image;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;

/**
 * JPEG bytes in, RGB pixels out through libjpeg-turbo, at full size or at a DCT scaling factor.
 * One instance owns one TurboJPEG handle plus an input and an output buffer in native memory
 * that grow to the largest image seen and are then reused, so a steady stream of images
 * allocates nothing big per image. Not thread-safe: one instance per thread.
 */
final class TurboJpegDecoder implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();
  /** The reducing factors (<= 1) the library offers, largest first. */
  private static volatile List<ScaleFactor> factors;

  private final Pointer handle;
  private final Cleaner.Cleanable destroyer;
  private final int[] width = new int[1];
  private final int[] height = new int[1];
  private final int[] subsamp = new int[1];
  private final int[] colorspace = new int[1];
  private Memory input;
  private byte[] loaded;
  private Memory output;
  private boolean closed;

  /** What tjDecompressHeader3 reports. */
  record Header(int width, int height, int subsamp, int colorspace) {
    boolean cmyk() {
      return colorspace == TurboJpeg.TJCS_CMYK || colorspace == TurboJpeg.TJCS_YCCK;
    }
  }

  /** A native failure, with libjpeg-turbo's message; the caller decides what the user hears. */
  static final class Failure extends Exception {
    final boolean truncated;

    Failure(String message, boolean truncated) {
      super(message);
      this.truncated = truncated;
    }
  }

  TurboJpegDecoder() {
    Pointer h = TurboJpeg.tjInitDecompress();
    if (h == null) {
      throw new IllegalStateException("libjpeg-turbo: tjInitDecompress failed: " + TurboJpeg.tjGetErrorStr2(null));
    }
    handle = h;
    // The handle is freed by close(); the cleaner is the safety net for callers that never close.
    destroyer = CLEANER.register(this, () -> TurboJpeg.tjDestroy(h));
  }

  static List<ScaleFactor> scalingFactors() {
    List<ScaleFactor> f = factors;
    if (f == null) {
      int[] n = new int[1];
      Pointer p = TurboJpeg.tjGetScalingFactors(n);
      List<ScaleFactor> all = new ArrayList<>();
      if (p != null && n[0] > 0 && n[0] <= 64) {
        int[] pairs = p.getIntArray(0, 2 * n[0]); // struct { int num; int denom; }[n]
        for (int i = 0; i < n[0]; i++) {
          if (pairs[2 * i] > 0 && pairs[2 * i + 1] > 0 && pairs[2 * i] <= pairs[2 * i + 1]) {
            all.add(new ScaleFactor(pairs[2 * i], pairs[2 * i + 1]));
          }
        }
      }
      all.sort((a, b) -> b.compareTo(a));
      factors = f = all.isEmpty() ? List.of(ScaleFactor.ONE) : List.copyOf(all);
    }
    return f;
  }

  /** Reads the header of {@code jpeg} and keeps the bytes loaded for {@link #decode}. */
  Header header(byte[] jpeg) throws Failure {
    load(jpeg);
    width[0] = height[0] = 0;
    subsamp[0] = colorspace[0] = -1;
    int rc = TurboJpeg.tjDecompressHeader3(handle, input, new NativeLong(jpeg.length), width, height, subsamp,
        colorspace);
    // Sizes are written only after the header parsed; an unusual subsampling still fails rc, harmlessly.
    if (width[0] > 0 && height[0] > 0 && colorspace[0] >= 0 && colorspace[0] <= TurboJpeg.TJCS_YCCK) {
      return new Header(width[0], height[0], subsamp[0], colorspace[0]);
    }
    throw new Failure(rc == 0 ? "header has no image size" : error(), false);
  }

  /**
   * Decodes the bytes of the last {@link #header} call at {@code scale}, at least the top
   * {@code rowLimit} rows of the full image. The returned view reads this decoder's output buffer
   * and is valid until its next call.
   *
   * <p>Rows below the limit are skipped for sequential Huffman JPEGs (nearly all photos) by
   * lowering the frame height in the native copy of the header: libjpeg then stops after the
   * last MCU row it needs, and skips the rest of the scan to the EOI marker with a harmless
   * "extraneous bytes" warning. One spare MCU row keeps chroma upsampling of the rows we keep
   * identical to a full decode. The original height is restored afterwards.
   */
  RgbPixels decode(Header h, ScaleFactor scale, int rowLimit) throws Failure {
    int rows = h.height();
    int sofHeightAt = -1;
    if (rowLimit < h.height()) {
      JpegMarkers m = JpegMarkers.parse(loaded);
      if (m.sequentialHuffman() && m.height() == h.height() && m.sofOffset() >= 0) {
        int mcu = m.mcuHeight();
        rows = Math.min(h.height(), (Math.max(rowLimit, 1) + mcu - 1) / mcu * mcu + mcu);
        sofHeightAt = rows < h.height() ? m.sofOffset() + 5 : -1; // FF Cn, length (2), precision, height
      }
    }
    if (sofHeightAt >= 0) {
      setHeight(sofHeightAt, rows);
    }
    try {
      return decodeRows(h, scale, sofHeightAt >= 0 ? rows : h.height());
    } finally {
      if (sofHeightAt >= 0) {
        setHeight(sofHeightAt, h.height());
      }
    }
  }

  private void setHeight(int at, int rows) {
    input.write(at, new byte[] {(byte) (rows >> 8), (byte) rows}, 0, 2); // big-endian in the file
  }

  private RgbPixels decodeRows(Header h, ScaleFactor scale, int rows) throws Failure {
    int w = scale.scale(h.width());
    int ht = scale.scale(rows);
    int channels = h.cmyk() ? 4 : 3;
    long size = (long) w * ht * channels;
    if (output == null || output.size() < size) {
      output = null; // let the old buffer go before the bigger one is allocated
      output = new Memory(size);
    }
    // tjDecompress2 picks the largest factor whose output fits w x ht: exactly `scale` here.
    int rc = TurboJpeg.tjDecompress2(handle, input, new NativeLong(loaded.length), output, w, w * channels, ht,
        h.cmyk() ? TurboJpeg.TJPF_CMYK : TurboJpeg.TJPF_RGB, TurboJpeg.TJFLAG_LIMITSCANS);
    if (rc != 0) {
      checkWarning();
    }
    return new NativeRgb(output, w, ht, channels);
  }

  /** A non-zero return: keep the image on a harmless warning, throw on a fatal error or truncation. */
  private void checkWarning() throws Failure {
    String message = error();
    boolean warning = TurboJpeg.tjGetErrorCode(handle) == TurboJpeg.TJERR_WARNING;
    // tjGetErrorCode still says "warning" when a fatal error follows a warning; the message then
    // is the fatal one, so only messages of libjpeg's warning table count as warnings.
    if (!warning || !isWarningMessage(message)) {
      throw new Failure(message, false);
    }
    JpegMarkers m = JpegMarkers.parse(loaded);
    if (message.startsWith("Premature end of JPEG file") || !JpegMarkers.hasEndMarkerAfter(loaded, m.scanOffset())) {
      throw new Failure(message, true);
    }
  }

  static boolean isWarningMessage(String m) {
    return m.startsWith("Corrupt JPEG data") || m.startsWith("Premature end of JPEG file")
        || m.startsWith("Warning:") || m.startsWith("Inconsistent progression sequence")
        || m.startsWith("Invalid SOS parameters") || m.startsWith("Unknown Adobe color transform")
        || m.startsWith("Application transferred too many scanlines");
  }

  private String error() {
    String s = TurboJpeg.tjGetErrorStr2(handle);
    return s == null ? "unknown libjpeg-turbo error" : s.strip();
  }

  private void load(byte[] jpeg) {
    if (closed) {
      throw new IllegalStateException("decoder is closed");
    }
    if (input == null || input.size() < jpeg.length) {
      input = null;
      input = new Memory(Math.max(jpeg.length, 256 * 1024));
    }
    input.write(0, jpeg, 0, jpeg.length);
    loaded = jpeg;
  }

  /** Whether {@code jpeg} (this very array) is the input loaded by the last {@link #header}. */
  boolean isLoaded(byte[] jpeg) {
    return loaded == jpeg && !closed;
  }

  /** Bytes of native memory held, for tests of the no-allocation-before-checks rule. */
  long nativeBytes() {
    return (input == null ? 0 : input.size()) + (output == null ? 0 : output.size());
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      destroyer.clean();
      input = null;
      output = null;
    }
  }

  /** The decoder's output buffer seen as RGB, converting CMYK rows on the way out. */
  private static final class NativeRgb implements RgbPixels {
    private final Memory buf;
    private final int w;
    private final int h;
    private final int channels;

    NativeRgb(Memory buf, int w, int h, int channels) {
      this.buf = buf;
      this.w = w;
      this.h = h;
      this.channels = channels;
    }

    @Override
    public int width() {
      return w;
    }

    @Override
    public int height() {
      return h;
    }

    @Override
    public void copyWindow(int x0, int y0, int x1, int y1, byte[] dst) {
      if (x0 < 0 || y0 < 0 || x1 > w || y1 > h || x0 >= x1 || y0 >= y1) {
        throw new IllegalArgumentException("window " + x0 + "," + y0 + "-" + x1 + "," + y1 + " outside " + w + "x" + h);
      }
      int rowLen = (x1 - x0) * 3;
      if (channels == 3 && x0 == 0 && x1 == w) {
        buf.read((long) y0 * w * 3, dst, 0, (y1 - y0) * rowLen);
        return;
      }
      byte[] row = channels == 3 ? null : new byte[(x1 - x0) * 4];
      for (int y = y0; y < y1; y++) {
        long src = ((long) y * w + x0) * channels;
        if (channels == 3) {
          buf.read(src, dst, (y - y0) * rowLen, rowLen);
        } else {
          buf.read(src, row, 0, row.length);
          CmykToRgb.convert(row, 0, dst, (y - y0) * rowLen, x1 - x0);
        }
      }
    }
  }
}
