package io.mnpipe.preprocess.augment;

/** A rectangle of an image: top-left (x, y), width and height. */
public record CropBox(int x, int y, int width, int height) {}
