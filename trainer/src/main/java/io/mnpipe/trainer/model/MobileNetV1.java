package io.mnpipe.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import io.mnpipe.trainer.model.Layers.Act;
import io.mnpipe.trainer.model.quant.ActivationQuantizer;

/**
 * A width multiplier and class count in, MobileNet V1 (Howard et al. 2017) out, in TF-slim's layout:
 * 3x3/2 stem, 13 depthwise-separable units (3x3 depthwise + BN + ReLU, 1x1 pointwise + BN + ReLU),
 * global average pool, linear classifier. Input NCHW float, output logits (N, classes).
 */
public final class MobileNetV1 {
  /** Paper table 1 after the stem: {stride, output channels} of each depthwise-separable unit. */
  static final int[][] SEPARABLE_UNITS = {
      {1, 64}, {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512},
      {1, 512}, {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}};
  static final int STEM_CHANNELS = 32;
  /** TF-slim's min_depth: no layer narrower than 8 channels at small multipliers. */
  static final int MIN_DEPTH = 8;

  private final int numClasses;
  private final float width;

  private final boolean quantized;

  private MobileNetV1(Builder b) {
    this.numClasses = b.numClasses;
    this.width = b.width;
    this.quantized = b.quantized;
  }

  public static Builder builder() {
    return new Builder();
  }

  private int depth(int channels) {
    return Math.max((int) (channels * width), MIN_DEPTH);
  }

  private Block build() {
    SequentialBlock net = new SequentialBlock();
    int in = depth(STEM_CHANNELS);
    if (quantized) {
      net.add(new ActivationQuantizer());
    }
    net.add(Layers.convBn(in, 3, 2, 1, Act.RELU, quantized));
    for (int[] unit : SEPARABLE_UNITS) {
      int out = depth(unit[1]);
      net.add(Layers.convBn(in, 3, unit[0], in, Act.RELU, quantized));
      net.add(Layers.convBn(out, 1, 1, 1, Act.RELU, quantized));
      in = out;
    }
    net.add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock());
    if (quantized) {
      net.add(new ActivationQuantizer());
    }
    net.add(Layers.classifier(numClasses, quantized));
    return net;
  }

  /** {@code setNumClasses} is required; the width multiplier defaults to 1.0. */
  public static final class Builder {
    private int numClasses = -1;
    private float width = 1.0f;
    private boolean quantized;

    public Builder setNumClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    public Builder optWidth(float width) {
      this.width = width;
      return this;
    }

    /** Builds the QAT form: folded, fake-quantized convs and uint8 activation quantizers. */
    public Builder optQuantized(boolean quantized) {
      this.quantized = quantized;
      return this;
    }

    public Block build() {
      if (numClasses < 1) {
        throw new IllegalArgumentException("MobileNet V1 needs numClasses >= 1, got " + numClasses);
      }
      if (!(width > 0 && width <= 4)) {
        throw new IllegalArgumentException("MobileNet V1 width multiplier must be in (0, 4], got " + width);
      }
      return new MobileNetV1(this).build();
    }
  }
}
