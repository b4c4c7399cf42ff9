package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;

/** An image in, its mirror image (left-right) out. */
public final class HorizontalFlip {
  private HorizontalFlip() {}

  public static RgbImage apply(RgbImage img) {
    int w = img.width();
    byte[] in = img.rgb();
    byte[] out = new byte[in.length];
    for (int y = 0; y < img.height(); y++) {
      int row = y * w * 3;
      for (int x = 0; x < w; x++) {
        int s = row + x * 3;
        int d = row + (w - 1 - x) * 3;
        out[d] = in[s];
        out[d + 1] = in[s + 1];
        out[d + 2] = in[s + 2];
      }
    }
    return new RgbImage(w, img.height(), out);
  }
}
