package io.mnpipe.preprocess.image;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encoded bytes (JPEG, PNG, anything ImageIO reads) in, RGB pixels out. JPEGs go through
 * libjpeg-turbo (TurboJPEG via JNA), optionally at a reduced DCT scale; PNG and whatever
 * libjpeg-turbo cannot decode go through ImageIO, and so does everything when the native library
 * is missing (one WARN per JVM). The header is always read first, so an image declaring more
 * than {@code maxPixels} is refused before any pixel buffer exists. Not thread-safe (it reuses
 * native buffers): one decoder per thread, closed when done.
 */
public final class ImageDecoder implements AutoCloseable {
  /** 100 megapixels: far above any real photo, far below what would exhaust a TaskManager. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
  private static final String NATIVE_ERROR = probeNative();

  private final long maxPixels;
  private final TurboJpegDecoder turbo;

  public ImageDecoder(long maxPixels, boolean useLibjpegTurbo) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
    this.turbo = useLibjpegTurbo && NATIVE_ERROR == null ? new TurboJpegDecoder() : null;
  }

  public ImageDecoder(long maxPixels) {
    this(maxPixels, true);
  }

  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  private static String probeNative() {
    String error;
    try {
      error = TurboJpeg.loadError();
    } catch (Throwable t) { // JNA itself missing from the classpath
      error = t.toString();
    }
    if (error != null) {
      LOG.warn("libjpeg-turbo (libturbojpeg.so.0) could not be loaded, so JPEGs are decoded with ImageIO, "
          + "several times slower and without reduced-size decoding. Install it (Debian/Ubuntu: apt-get install "
          + "libturbojpeg0) or point -D{}=/path/to/libturbojpeg.so at it. Cause: {}", TurboJpeg.LIBRARY_PROPERTY,
          error.lines().findFirst().orElse(error)); // JNA lists every path it tried, one per line
    }
    return error;
  }

  /** Whether this JVM can use libjpeg-turbo. */
  public static boolean libjpegTurboAvailable() {
    return NATIVE_ERROR == null;
  }

  /** Which decoder handles JPEGs, for logs and benchmark reports. */
  public String name() {
    return turbo != null ? "libjpeg-turbo (TurboJPEG via JNA)" : "ImageIO";
  }

  /** The header of {@code bytes}: format and full size, refused above the pixel limit. */
  public ImageHeader header(byte[] bytes) throws UndecodableImageException {
    if (bytes == null || bytes.length == 0) {
      throw new UndecodableImageException("empty input (0 bytes)");
    }
    ImageHeader.Format format = sniff(bytes);
    if (format == ImageHeader.Format.JPEG && turbo != null) {
      try {
        TurboJpegDecoder.Header h = turbo.header(bytes);
        checkPixels(h.width(), h.height(), maxPixels);
        return new ImageHeader(format, h.width(), h.height(), h);
      } catch (TurboJpegDecoder.Failure f) {
        return imageIoHeader(bytes, format, f); // e.g. 12-bit or lossless JPEG: ImageIO may know more
      }
    }
    return imageIoHeader(bytes, format, null);
  }

  private ImageHeader imageIoHeader(byte[] bytes, ImageHeader.Format format, TurboJpegDecoder.Failure nativeFailure)
      throws UndecodableImageException {
    long[] size;
    try {
      size = ImageIoDecoder.size(bytes);
    } catch (UndecodableImageException e) {
      throw nativeFailure == null ? e : jpegFailure(nativeFailure, e);
    }
    checkPixels(size[0], size[1], maxPixels);
    return new ImageHeader(format, (int) size[0], (int) size[1], null);
  }

  /**
   * The scales worth decoding this image at: 1 and, for JPEGs through libjpeg-turbo, 1/2, 1/4 and
   * 1/8. libjpeg-turbo 2.1 offers every M/8, but only these have SIMD inverse DCTs; measured on
   * 500x375 photos, 7/8, 3/4 and 5/8 decode 25-45% slower than full size, so they are left out.
   */
  public List<ScaleFactor> scaleFactors(ImageHeader header) {
    if (header.turbo == null || turbo == null) {
      return List.of(ScaleFactor.ONE);
    }
    return TurboJpegDecoder.scalingFactors().stream()
        .filter(f -> f.num() == 1 && Integer.bitCount(f.denom()) == 1)
        .toList();
  }

  /**
   * Decodes {@code bytes} (whose header is {@code header}) at {@code scale}, or at full size if
   * the image cannot be scaled. The pixels may live in this decoder's reused buffer: they are
   * valid until its next call.
   */
  public DecodedImage decode(byte[] bytes, ImageHeader header, ScaleFactor scale) throws UndecodableImageException {
    return decode(bytes, header, scale, header.height());
  }

  /**
   * As {@link #decode(byte[], ImageHeader, ScaleFactor)}, but only the top {@code rowLimit} rows
   * (of the full image) need to be right: a baseline JPEG stops decoding soon after them, so the
   * pixels may hold fewer rows than the image has.
   */
  public DecodedImage decode(byte[] bytes, ImageHeader header, ScaleFactor scale, int rowLimit)
      throws UndecodableImageException {
    if (header.turbo != null && turbo != null) {
      try {
        if (!TurboJpegDecoder.scalingFactors().contains(scale)) {
          scale = ScaleFactor.ONE;
        }
        TurboJpegDecoder.Header h = header.turbo;
        if (!turbo.isLoaded(bytes)) { // another image was decoded since header(bytes): load these again
          h = turbo.header(bytes);
          checkPixels(h.width(), h.height(), maxPixels);
        }
        return new DecodedImage(turbo.decode(h, scale, rowLimit), scale);
      } catch (TurboJpegDecoder.Failure f) {
        if (f.truncated) {
          throw new UndecodableImageException("corrupt or truncated image: the data ends before the image is "
              + "complete (libjpeg-turbo: " + f.getMessage() + "); Pillow/torchvision refuse such files too");
        }
        try {
          return new DecodedImage(ImageIoDecoder.decode(bytes, maxPixels), ScaleFactor.ONE);
        } catch (UndecodableImageException e) {
          throw jpegFailure(f, e);
        }
      }
    }
    return new DecodedImage(ImageIoDecoder.decode(bytes, maxPixels), ScaleFactor.ONE);
  }

  /** Decodes {@code bytes} at full size into an image of its own. */
  public RgbImage decode(byte[] bytes) throws UndecodableImageException {
    ImageHeader header = header(bytes);
    RgbPixels px = decode(bytes, header, ScaleFactor.ONE).pixels();
    if (px instanceof RgbImage img) {
      return img;
    }
    byte[] rgb = new byte[px.width() * px.height() * 3];
    px.copyWindow(0, 0, px.width(), px.height(), rgb);
    return new RgbImage(px.width(), px.height(), rgb);
  }

  static void checkPixels(long width, long height, long maxPixels) throws UndecodableImageException {
    long pixels = width * height;
    if (width < 1 || height < 1) {
      throw new UndecodableImageException("corrupt image: header declares " + width + "x" + height + " pixels");
    }
    if (pixels > maxPixels) {
      throw new UndecodableImageException("header declares " + width + "x" + height + " = " + pixels
          + " pixels, above the limit of " + maxPixels + " (raise the decoder's maxPixels if such images are real)");
    }
  }

  private static UndecodableImageException jpegFailure(TurboJpegDecoder.Failure f, UndecodableImageException imageIo) {
    return new UndecodableImageException("corrupt or truncated image: libjpeg-turbo: " + f.getMessage()
        + "; ImageIO: " + imageIo.getMessage(), imageIo);
  }

  private static ImageHeader.Format sniff(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
      return ImageHeader.Format.JPEG;
    }
    if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return ImageHeader.Format.PNG;
    }
    return ImageHeader.Format.OTHER;
  }

  /** Native bytes held by this decoder's reusable buffers (0 without libjpeg-turbo). */
  long nativeBytes() {
    return turbo == null ? 0 : turbo.nativeBytes();
  }

  @Override
  public void close() {
    if (turbo != null) {
      turbo.close();
    }
  }
}
