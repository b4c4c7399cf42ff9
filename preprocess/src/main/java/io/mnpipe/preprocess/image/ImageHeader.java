package io.mnpipe.preprocess.image;

/**
 * The header of an encoded image in, what a decode plan needs out: container format and full
 * size (which RandomResizedCrop draws its box on), read without decoding any pixels.
 */
public final class ImageHeader {
  /** Container formats the decoder tells apart by their first bytes. */
  public enum Format { JPEG, PNG, OTHER }

  private final Format format;
  private final int width;
  private final int height;
  /** libjpeg-turbo's view of a JPEG header; null when ImageIO will decode the image. */
  final TurboJpegDecoder.Header turbo;

  ImageHeader(Format format, int width, int height, TurboJpegDecoder.Header turbo) {
    this.format = format;
    this.width = width;
    this.height = height;
    this.turbo = turbo;
  }

  public Format format() {
    return format;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  @Override
  public String toString() {
    return format + " " + width + "x" + height;
  }
}
