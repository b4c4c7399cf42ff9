package io.mnpipe.preprocess.image;

/**
 * A decode in, its pixels and the DCT scale they were decoded at out: a source pixel (x, y)
 * of the full image lies at (x, y) * scale in {@code pixels}.
 */
public record DecodedImage(RgbPixels pixels, ScaleFactor scale) {}
