package io.mnpipe.preprocess.image;

/**
 * A decoded image in, any rectangle of its pixels out as packed 8-bit RGB. Implemented by heap
 * images ({@link RgbImage}) and by the native buffer of the libjpeg-turbo decoder, so a resize can
 * copy just the box it reads instead of the whole image.
 */
public interface RgbPixels {
  int width();

  int height();

  /** Copies columns [x0, x1) of rows [y0, y1) into dst as packed RGB, row stride (x1 - x0) * 3. */
  void copyWindow(int x0, int y0, int x1, int y1, byte[] dst);

  /** The heap array holding all pixels with row stride width * 3, or null when there is none. */
  default byte[] heapRgb() {
    return null;
  }
}
