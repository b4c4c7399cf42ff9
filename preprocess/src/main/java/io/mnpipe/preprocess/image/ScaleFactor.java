package io.mnpipe.preprocess.image;

import java.util.List;

/**
 * A DCT scaling factor num/denom in, scaled sizes and coordinates out. libjpeg-turbo decodes a
 * JPEG at M/8 of its size by running smaller inverse DCTs, which is both faster than a full
 * decode and an antialiased reduction; a scaled dimension is ceil(dim * num / denom).
 */
public record ScaleFactor(int num, int denom) implements Comparable<ScaleFactor> {
  public static final ScaleFactor ONE = new ScaleFactor(1, 1);

  public ScaleFactor {
    if (num < 1 || denom < 1) {
      throw new IllegalArgumentException("bad scaling factor " + num + "/" + denom);
    }
  }

  public double value() {
    return (double) num / denom;
  }

  /** A width or height after decoding at this factor (libjpeg's TJSCALED). */
  public int scale(int dim) {
    return (int) (((long) dim * num + denom - 1) / denom);
  }

  @Override
  public int compareTo(ScaleFactor o) {
    return Long.compare((long) num * o.denom, (long) o.num * denom);
  }

  /**
   * The smallest factor at which a box of boxW x boxH source pixels still spans at least
   * outW x outH pixels, so the resize that follows only shrinks (no resolution is lost);
   * {@link #ONE} when none of the reducing factors qualifies.
   */
  public static ScaleFactor smallestKeeping(List<ScaleFactor> factors, double boxW, double boxH, int outW, int outH) {
    ScaleFactor best = ONE;
    for (ScaleFactor f : factors) {
      double s = f.value();
      if (s <= 1 && s * boxW >= outW && s * boxH >= outH && f.compareTo(best) < 0) {
        best = f;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return num + "/" + denom;
  }
}
