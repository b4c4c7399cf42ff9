package io.mnpipe.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.mnpipe.trainer.model.Layers.Act;
import java.util.List;

/**
 * A variant (large/small), width multiplier and class count in, MobileNet V3 (Howard et al. 2019) out,
 * as torchvision builds it: hard-swish 3x3/2 stem, inverted residual blocks with optional
 * squeeze-excite after the depthwise conv, a 1x1 conv to 6x the last block's width, global pool,
 * Linear + hard-swish + dropout 0.2, linear classifier. Input NCHW float, output logits (N, classes).
 */
public final class MobileNetV3 {
  /** The two searched architectures: paper tables 1 (large) and 2 (small), and their head widths. */
  public enum Variant {
    LARGE(LARGE_BLOCKS, 1280), SMALL(SMALL_BLOCKS, 1024);

    final int[][] blocks;
    final int headChannels;

    Variant(int[][] blocks, int headChannels) {
      this.blocks = blocks;
      this.headChannels = headChannels;
    }
  }

  /** Paper table 1 (large): {kernel, expanded, out, SE, hard-swish, stride}; input of each = previous out. */
  static final int[][] LARGE_BLOCKS = {
      {3, 16, 16, 0, 0, 1}, {3, 64, 24, 0, 0, 2}, {3, 72, 24, 0, 0, 1},
      {5, 72, 40, 1, 0, 2}, {5, 120, 40, 1, 0, 1}, {5, 120, 40, 1, 0, 1},
      {3, 240, 80, 0, 1, 2}, {3, 200, 80, 0, 1, 1}, {3, 184, 80, 0, 1, 1}, {3, 184, 80, 0, 1, 1},
      {3, 480, 112, 1, 1, 1}, {3, 672, 112, 1, 1, 1},
      {5, 672, 160, 1, 1, 2}, {5, 960, 160, 1, 1, 1}, {5, 960, 160, 1, 1, 1}};
  /** Paper table 2 (small), same columns. */
  static final int[][] SMALL_BLOCKS = {
      {3, 16, 16, 1, 0, 2}, {3, 72, 24, 0, 0, 2}, {3, 88, 24, 0, 0, 1},
      {5, 96, 40, 1, 1, 2}, {5, 240, 40, 1, 1, 1}, {5, 240, 40, 1, 1, 1},
      {5, 120, 48, 1, 1, 1}, {5, 144, 48, 1, 1, 1},
      {5, 288, 96, 1, 1, 2}, {5, 576, 96, 1, 1, 1}, {5, 576, 96, 1, 1, 1}};
  static final int STEM_CHANNELS = 16;
  static final int ROUND_NEAREST = 8;
  /** torchvision's V3 BatchNorm2d(eps=0.001, momentum=0.01); DJL's momentum weighs the old statistic: 1 - 0.01. */
  static final float BN_EPSILON = 1e-3f;
  static final float BN_MOMENTUM = 0.99f;

  private final Variant variant;
  private final int numClasses;
  private final float width;
  private final float dropout;

  private MobileNetV3(Builder b) {
    this.variant = b.variant;
    this.numClasses = b.numClasses;
    this.width = b.width;
    this.dropout = b.dropout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** torchvision's adjust_channels: every width in the tables, the head's included, scales with the multiplier. */
  private int adjust(int channels) {
    return Layers.makeDivisible(channels * (double) width, ROUND_NEAREST);
  }

  private Block build() {
    SequentialBlock net = new SequentialBlock();
    int in = adjust(STEM_CHANNELS);
    net.add(convBn(in, 3, 2, 1, Act.HARD_SWISH));
    for (int[] row : variant.blocks) {
      int out = adjust(row[2]);
      net.add(invertedResidual(in, row[0], adjust(row[1]), out, row[3] == 1, row[4] == 1 ? Act.HARD_SWISH : Act.RELU,
          row[5]));
      in = out;
    }
    int lastConv = 6 * in;
    net.add(convBn(lastConv, 1, 1, 1, Act.HARD_SWISH))
        .add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(Layers.classifier(adjust(variant.headChannels)))
        .add(Layers.activation(Act.HARD_SWISH))
        .add(Dropout.builder().optRate(dropout).build())
        .add(Layers.classifier(numClasses));
    return net;
  }

  /**
   * Expand 1x1 (skipped when expanded == in), depthwise k x k, squeeze-excite, project 1x1 without
   * activation; identity shortcut when stride is 1 and widths match.
   */
  static Block invertedResidual(int in, int kernel, int expanded, int out, boolean se, Act act, int stride) {
    SequentialBlock body = new SequentialBlock();
    if (expanded != in) {
      body.add(convBn(expanded, 1, 1, 1, act));
    }
    body.add(convBn(expanded, kernel, stride, expanded, act));
    if (se) {
      body.add(squeezeExcite(expanded));
    }
    body.add(convBn(out, 1, 1, 1, Act.NONE));
    return stride == 1 && in == out ? Layers.residual(body) : body;
  }

  /**
   * {@code x * hardsigmoid(fc2(relu(fc1(avgpool(x)))))}, fc1/fc2 being 1x1 convs with bias through
   * {@code _make_divisible(channels // 4, 8)} channels.
   */
  static Block squeezeExcite(int channels) {
    int squeeze = Layers.makeDivisible(channels / 4, ROUND_NEAREST);
    SequentialBlock scale = new SequentialBlock()
        .add(LambdaBlock.singleton(MobileNetV3::squeeze, "se_pool"))
        .add(Layers.conv(squeeze, 1, 1, 1, true))
        .add(Layers.activation(Act.RELU))
        .add(Layers.conv(channels, 1, 1, 1, true))
        .add(LambdaBlock.singleton(Layers::hardSigmoid, "hardsigmoid"));
    return new ParallelBlock(
        outs -> new NDList(outs.get(1).singletonOrThrow().mul(outs.get(0).singletonOrThrow())),
        List.of(scale, Blocks.identityBlock()));
  }

  /** (N, C, H, W) -> (N, C, 1, 1) means; DJL's PyTorch engine averages over only one axis per mean call. */
  private static NDArray squeeze(NDArray x) {
    NDArray pooled = Pool.globalAvgPool2d(x);
    return pooled.reshape(pooled.getShape().add(1, 1));
  }

  private static SequentialBlock convBn(int out, int kernel, int stride, int groups, Act act) {
    return Layers.convBn(out, kernel, stride, groups, act, BN_EPSILON, BN_MOMENTUM);
  }

  /** {@code setVariant} and {@code setNumClasses} are required; width defaults to 1.0, dropout to 0.2. */
  public static final class Builder {
    private Variant variant;
    private int numClasses = -1;
    private float width = 1.0f;
    private float dropout = 0.2f;

    public Builder setVariant(Variant variant) {
      this.variant = variant;
      return this;
    }

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

    public Block build() {
      if (variant == null) {
        throw new IllegalArgumentException("MobileNet V3 needs a variant: LARGE or SMALL");
      }
      if (numClasses < 1) {
        throw new IllegalArgumentException("MobileNet V3 needs numClasses >= 1, got " + numClasses);
      }
      if (!(width > 0 && width <= 4)) {
        throw new IllegalArgumentException("MobileNet V3 width multiplier must be in (0, 4], got " + width);
      }
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
      }
      return new MobileNetV3(this).build();
    }
  }
}
