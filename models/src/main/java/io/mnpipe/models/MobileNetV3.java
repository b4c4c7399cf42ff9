package io.mnpipe.models;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.mnpipe.models.Layers.Act;
import java.util.List;

/**
 * A variant (large/small), width multiplier and class count in, MobileNet V3 (Howard et al. 2019) out,
 * as torchvision builds it: hard-swish 3x3/2 stem, inverted residual blocks with optional
 * squeeze-excite after the depthwise conv, a 1x1 conv to 6x the last block's width, global pool,
 * Linear + hard-swish + dropout 0.2, linear classifier. Input NCHW float, output logits (N, classes).
 */
public final class MobileNetV3 {
  // The columns of the paper's tables: SE ticked or not, NL = RE (ReLU) or HS (hard-swish).
  private static final boolean SE = true;
  private static final boolean NO = false;
  private static final Act RE = Act.RELU;
  private static final Act HS = Act.HARD_SWISH;

  /** Howard et al. 2019, table 1 (large): the bneck rows after the 3x3/2 stem of 16 channels. */
  static final List<InvertedResidualConfig> TABLE_1 = List.of(
      //    k  exp  out  SE  NL  s
      bneck(3,  16,  16, NO, RE, 1),
      bneck(3,  64,  24, NO, RE, 2),
      bneck(3,  72,  24, NO, RE, 1),
      bneck(5,  72,  40, SE, RE, 2),
      bneck(5, 120,  40, SE, RE, 1),
      bneck(5, 120,  40, SE, RE, 1),
      bneck(3, 240,  80, NO, HS, 2),
      bneck(3, 200,  80, NO, HS, 1),
      bneck(3, 184,  80, NO, HS, 1),
      bneck(3, 184,  80, NO, HS, 1),
      bneck(3, 480, 112, SE, HS, 1),
      bneck(3, 672, 112, SE, HS, 1),
      bneck(5, 672, 160, SE, HS, 2),
      bneck(5, 960, 160, SE, HS, 1),
      bneck(5, 960, 160, SE, HS, 1));

  /** Howard et al. 2019, table 2 (small), same columns. */
  static final List<InvertedResidualConfig> TABLE_2 = List.of(
      //    k  exp  out  SE  NL  s
      bneck(3,  16,  16, SE, RE, 2),
      bneck(3,  72,  24, NO, RE, 2),
      bneck(3,  88,  24, NO, RE, 1),
      bneck(5,  96,  40, SE, HS, 2),
      bneck(5, 240,  40, SE, HS, 1),
      bneck(5, 240,  40, SE, HS, 1),
      bneck(5, 120,  48, SE, HS, 1),
      bneck(5, 144,  48, SE, HS, 1),
      bneck(5, 288,  96, SE, HS, 2),
      bneck(5, 576,  96, SE, HS, 1),
      bneck(5, 576,  96, SE, HS, 1));

  /** The two searched architectures, their tables and head widths (the last rows of the tables). */
  public enum Variant {
    LARGE(TABLE_1, 1280), SMALL(TABLE_2, 1024);

    final List<InvertedResidualConfig> blocks;
    final int headChannels;

    Variant(List<InvertedResidualConfig> blocks, int headChannels) {
      this.blocks = blocks;
      this.headChannels = headChannels;
    }
  }

  static final int STEM_CHANNELS = 16;
  static final int ROUND_NEAREST = 8;
  /** torchvision's V3 BatchNorm2d(eps=0.001, momentum=0.01); DJL's momentum weighs the old statistic: 1 - 0.01. */
  static final InvertedResidual.Norm NORM = new InvertedResidual.Norm(1e-3f, 0.99f);

  private MobileNetV3() {}

  private static InvertedResidualConfig bneck(int kernel, int exp, int out, boolean se, Act nl, int stride) {
    return new InvertedResidualConfig(kernel, exp, out, se, nl, stride);
  }

  /** {@code setVariant} and {@code setNumClasses} are required; width defaults to 1.0, dropout to 0.2. */
  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder extends MobileNetBuilder<Builder> {
    private Variant variant;

    Builder() {
      super(0.2f);
    }

    public Builder setVariant(Variant variant) {
      this.variant = variant;
      return this;
    }

    @Override
    String family() {
      return "MobileNet V3";
    }

    /** torchvision's adjust_channels: every width in the tables, the head's included, scales with the multiplier. */
    private int adjust(int channels) {
      return Layers.makeDivisible(channels * (double) width, ROUND_NEAREST);
    }

    @Override
    Block buildChecked() {
      if (variant == null) {
        throw new IllegalArgumentException("MobileNet V3 needs a variant: LARGE or SMALL");
      }
      if (quantized) {
        throw new IllegalArgumentException("MobileNet V3 has no quantized form yet (squeeze-excite, hard-swish)");
      }
      SequentialBlock net = new SequentialBlock();
      int in = adjust(STEM_CHANNELS);
      net.add(Layers.convBn(in, 3, 2, 1, Act.HARD_SWISH, NORM, false));
      for (InvertedResidualConfig row : variant.blocks) {
        InvertedResidualConfig block = row.scaled(this::adjust);
        net.add(InvertedResidual.of(in, block, NORM, false));
        in = block.out();
      }
      return net.add(Layers.convBn(6 * in, 1, 1, 1, Act.HARD_SWISH, NORM, false))
          .add(Pool.globalAvgPool2dBlock())
          .add(Blocks.batchFlattenBlock())
          .add(Layers.classifier(adjust(variant.headChannels)))
          .add(Layers.activation(Act.HARD_SWISH))
          .add(Dropout.builder().optRate(dropout).build())
          .add(Layers.classifier(numClasses));
    }
  }
}
