package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.RgbImage;
import java.util.SplittableRandom;

/**
 * An image and a random stream in, a random area/aspect crop resized to size x size out:
 * torchvision's RandomResizedCrop, including its 10 attempts and its center-crop fallback.
 */
public final class RandomResizedCrop {
  private final int size;
  private final double minScale;
  private final double maxScale;
  private final double logMinRatio;
  private final double logMaxRatio;

  public RandomResizedCrop(int size, double minScale, double maxScale, double minRatio, double maxRatio) {
    if (size < 1 || minScale <= 0 || minScale > maxScale || maxScale > 1 || minRatio <= 0 || minRatio > maxRatio) {
      throw new IllegalArgumentException("bad RandomResizedCrop(size=" + size + ", scale=" + minScale + "-" + maxScale
          + ", ratio=" + minRatio + "-" + maxRatio + ")");
    }
    this.size = size;
    this.minScale = minScale;
    this.maxScale = maxScale;
    this.logMinRatio = Math.log(minRatio);
    this.logMaxRatio = Math.log(maxRatio);
  }

  /** The ImageNet defaults: scale 0.08-1, aspect ratio 3/4-4/3. */
  public RandomResizedCrop(int size) {
    this(size, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);
  }

  /** Draws the crop box for an image of width x height (torchvision's get_params). */
  public CropBox params(int width, int height, SplittableRandom rng) {
    double area = (double) width * height;
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * uniform(rng, minScale, maxScale);
      double aspect = Math.exp(uniform(rng, logMinRatio, logMaxRatio));
      int w = (int) Math.round(Math.sqrt(target * aspect));
      int h = (int) Math.round(Math.sqrt(target / aspect));
      if (w > 0 && h > 0 && w <= width && h <= height) {
        int y = rng.nextInt(height - h + 1);
        int x = rng.nextInt(width - w + 1);
        return new CropBox(x, y, w, h);
      }
    }
    double inRatio = (double) width / height;
    double minRatio = Math.exp(logMinRatio);
    double maxRatio = Math.exp(logMaxRatio);
    int w = width;
    int h = height;
    if (inRatio < minRatio) {
      h = (int) Math.round(w / minRatio);
    } else if (inRatio > maxRatio) {
      w = (int) Math.round(h * maxRatio);
    }
    return new CropBox((width - w) / 2, (height - h) / 2, w, h);
  }

  public RgbImage apply(RgbImage img, SplittableRandom rng) {
    CropBox b = params(img.width(), img.height(), rng);
    return Resize.box(img, b.x(), b.y(), b.width(), b.height(), size, size);
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
  }
}
