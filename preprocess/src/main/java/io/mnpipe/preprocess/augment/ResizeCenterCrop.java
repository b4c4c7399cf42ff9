package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;

/**
 * An image in, the eval view out: resize the short side to size / cropPct, then center-crop
 * size x size (224 / 0.875 = 256 for ImageNet), done as one resample of the matching box.
 */
public final class ResizeCenterCrop {
  private final int size;
  private final double cropPct;

  public ResizeCenterCrop(int size, double cropPct) {
    if (size < 1 || cropPct <= 0 || cropPct > 1) {
      throw new IllegalArgumentException("bad eval crop: size " + size + ", crop_pct " + cropPct);
    }
    this.size = size;
    this.cropPct = cropPct;
  }

  /** The box of the source that the resized-then-cropped output covers. */
  public CropBox box(int width, int height) {
    int shortSide = Math.min(width, height);
    int resized = (int) Math.floor(size / cropPct);
    // The crop covers size/resized of the short side, centered, in source pixels.
    double s = (double) shortSide / resized;
    int cw = Math.min(width, (int) Math.round(size * s));
    int ch = Math.min(height, (int) Math.round(size * s));
    return new CropBox((width - cw) / 2, (height - ch) / 2, cw, ch);
  }

  public RgbImage apply(RgbImage img) {
    CropBox b = box(img.width(), img.height());
    return Resize.box(img, b.x(), b.y(), b.width(), b.height(), size, size);
  }
}
