package io.mnpipe.preprocess.image;

/**
 * Width, height and packed pixels in, one immutable-by-convention image out: 8-bit RGB,
 * row-major HWC, {@code rgb.length == width * height * 3}.
 *
 * @param width columns
 * @param height rows
 * @param rgb interleaved R, G, B bytes
 */
public record RgbImage(int width, int height, byte[] rgb) implements RgbPixels {
  public RgbImage {
    if (width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
      throw new IllegalArgumentException("RGB buffer of " + rgb.length + " bytes does not hold " + width + "x" + height);
    }
  }

  /** Red, green or blue (c = 0, 1, 2) of the pixel at row y, column x, as 0..255. */
  public int at(int y, int x, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }

  @Override
  public void copyWindow(int x0, int y0, int x1, int y1, byte[] dst) {
    int len = (x1 - x0) * 3;
    for (int y = y0; y < y1; y++) {
      System.arraycopy(rgb, (y * width + x0) * 3, dst, (y - y0) * len, len);
    }
  }

  @Override
  public byte[] heapRgb() {
    return rgb;
  }
}
