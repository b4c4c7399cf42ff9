package io.mnpipe.trainer.model;

import ai.djl.nn.Block;
import java.util.function.IntFunction;

/**
 * A registered model: canonical name, family, width multiplier, the input size it was designed for,
 * and a factory from class count to an uninitialised DJL block.
 *
 * @param name canonical name, e.g. mobilenet_v2_100
 * @param family architecture family, e.g. mobilenet_v2
 * @param width width multiplier
 * @param defaultImageSize training/eval resolution of the reference recipe
 * @param factory numClasses -> block taking NCHW float input normalised with ImageNet mean/std
 */
public record ModelSpec(String name, String family, float width, int defaultImageSize,
    IntFunction<Block> factory) {

  /** A fresh, uninitialised block with {@code numClasses} outputs. */
  public Block create(int numClasses) {
    return factory.apply(numClasses);
  }
}
