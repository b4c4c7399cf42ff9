package io.mnpipe.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.mnpipe.trainer.model.Layers.Act;
import io.mnpipe.trainer.model.quant.ActivationQuantizer;

/**
 * A width multiplier and class count in, MobileNet V2 (Sandler et al. 2018) out, as torchvision
 * builds it: inverted residual blocks with linear bottlenecks and ReLU6, channels rounded to
 * multiples of 8, a 1x1 conv to 1280*max(1, width) channels, dropout 0.2 and a linear classifier.
 * Input NCHW float, output logits (N, classes).
 */
public final class MobileNetV2 {
  /** Paper table 2: {expansion t, output channels c, repeats n, first stride s}. */
  static final int[][] INVERTED_RESIDUAL_SETTING = {
      {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
      {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  static final int STEM_CHANNELS = 32;
  static final int LAST_CHANNELS = 1280;
  static final int ROUND_NEAREST = 8;

  private final int numClasses;
  private final float width;
  private final float dropout;
  private final boolean quantized;

  private MobileNetV2(Builder b) {
    this.numClasses = b.numClasses;
    this.width = b.width;
    this.dropout = b.dropout;
    this.quantized = b.quantized;
  }

  public static Builder builder() {
    return new Builder();
  }

  private Block build() {
    SequentialBlock net = new SequentialBlock();
    int in = Layers.makeDivisible(STEM_CHANNELS * width, ROUND_NEAREST);
    int last = Layers.makeDivisible(LAST_CHANNELS * Math.max(1.0f, width), ROUND_NEAREST);
    if (quantized) {
      net.add(new ActivationQuantizer()); // the input image, as the int8 model receives it
    }
    net.add(Layers.convBn(in, 3, 2, 1, Act.RELU6, quantized));
    for (int[] row : INVERTED_RESIDUAL_SETTING) {
      int out = Layers.makeDivisible(row[1] * width, ROUND_NEAREST);
      for (int i = 0; i < row[2]; i++) {
        net.add(invertedResidual(in, out, i == 0 ? row[3] : 1, row[0], quantized));
        in = out;
      }
    }
    net.add(Layers.convBn(last, 1, 1, 1, Act.RELU6, quantized))
        .add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock());
    if (quantized) {
      net.add(new ActivationQuantizer()); // the classifier's input
    }
    net.add(Dropout.builder().optRate(dropout).build())
        .add(Layers.classifier(numClasses, quantized));
    return net;
  }

  /** Expand 1x1 (skipped when t == 1), depthwise 3x3, project 1x1 without activation; shortcut when shapes match. */
  static Block invertedResidual(int in, int out, int stride, int expansion, boolean quantized) {
    int hidden = Math.round(in * (float) expansion);
    SequentialBlock body = new SequentialBlock();
    if (expansion != 1) {
      body.add(Layers.convBn(hidden, 1, 1, 1, Act.RELU6, quantized));
    }
    body.add(Layers.convBn(hidden, 3, stride, hidden, Act.RELU6, quantized))
        .add(Layers.convBn(out, 1, 1, 1, Act.NONE, quantized));
    return stride == 1 && in == out ? Layers.residual(body, quantized) : body;
  }

  /** {@code setNumClasses} is required; width defaults to 1.0 and dropout to the paper's 0.2. */
  public static final class Builder {
    private int numClasses = -1;
    private float width = 1.0f;
    private float dropout = 0.2f;
    private boolean quantized;

    public Builder setNumClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    public Builder optWidth(float width) {
      this.width = width;
      return this;
    }

    public Builder optDropout(float dropout) {
      this.dropout = dropout;
      return this;
    }

    /** Builds the QAT form: folded, fake-quantized convs and uint8 activation quantizers (MobileNetV2-Quant). */
    public Builder optQuantized(boolean quantized) {
      this.quantized = quantized;
      return this;
    }

    public Block build() {
      if (numClasses < 1) {
        throw new IllegalArgumentException("MobileNet V2 needs numClasses >= 1, got " + numClasses);
      }
      if (!(width > 0 && width <= 4)) {
        throw new IllegalArgumentException("MobileNet V2 width multiplier must be in (0, 4], got " + width);
      }
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
      }
      return new MobileNetV2(this).build();
    }
  }
}
