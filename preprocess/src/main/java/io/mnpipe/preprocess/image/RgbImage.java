package io.mnpipe.preprocess.image;

/**
 * Decoded pixels: 8-bit RGB, row-major HWC, {@code rgb.length == width * height * 3}.
 *
 * @param width columns
 * @param height rows
 * @param rgb interleaved R, G, B bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {
  public RgbImage {
    if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
      throw new IllegalArgumentException("RGB buffer of " + rgb.length + " bytes does not hold " + width + "x" + height);
    }
  }

  /** Red, green or blue (c = 0, 1, 2) of the pixel at row y, column x, as 0..255. */
  public int at(int y, int x, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }
}
