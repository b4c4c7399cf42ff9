package io.mnpipe.models;

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
 * @param quantizedFactory numClasses -> the block's QAT form (same parameters plus activation
 *     ranges), or null where the family has none
 */
public record ModelSpec(String name, String family, float width, int defaultImageSize,
    IntFunction<Block> factory, IntFunction<Block> quantizedFactory) {

  public ModelSpec(String name, String family, float width, int defaultImageSize, IntFunction<Block> factory) {
    this(name, family, width, defaultImageSize, factory, null);
  }

  /** Whether the model has a QAT form. */
  public boolean quantizable() {
    return quantizedFactory != null;
  }

  /** A fresh, uninitialised QAT form of the model; IllegalArgumentException where it has none. */
  public Block createQuantized(int numClasses) {
    if (quantizedFactory == null) {
      throw new IllegalArgumentException("quantization-aware training is built for the mobilenet_v1 and"
          + " mobilenet_v2 families, not " + name + " (V3's squeeze-excite and hard-swish units are not quantized yet)");
    }
    return quantizedFactory.apply(numClasses);
  }

  /** A fresh, uninitialised block with {@code numClasses} outputs. */
  public Block create(int numClasses) {
    return factory.apply(numClasses);
  }
}
