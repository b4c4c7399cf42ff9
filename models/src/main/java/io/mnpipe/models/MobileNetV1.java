package io.mnpipe.models;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.mnpipe.models.Layers.Act;
import io.mnpipe.models.quant.ActivationQuantizer;
import java.util.List;

/**
 * A width multiplier and class count in, MobileNet V1 (Howard et al. 2017) out, in TF-slim's layout:
 * 3x3/2 stem, 13 depthwise-separable units (3x3 depthwise + BN + ReLU, 1x1 pointwise + BN + ReLU),
 * global average pool, linear classifier. Input NCHW float, output logits (N, classes).
 */
public final class MobileNetV1 {
  /** One depthwise-separable unit of table 1: the depthwise conv's stride, the pointwise conv's width. */
  record Unit(int stride, int out) {}

  /** Howard et al. 2017, table 1, after the 3x3/2 stem of 32 channels: Conv dw / s, then Conv 1x1 to out. */
  static final List<Unit> TABLE_1 = List.of(
      //     s    out
      unit(1, 64),
      unit(2, 128),
      unit(1, 128),
      unit(2, 256),
      unit(1, 256),
      unit(2, 512),
      unit(1, 512), unit(1, 512), unit(1, 512), unit(1, 512), unit(1, 512), // 5x
      unit(2, 1024),
      unit(1, 1024));
  static final int STEM_CHANNELS = 32;
  /** TF-slim's min_depth: no layer narrower than 8 channels at small multipliers. */
  static final int MIN_DEPTH = 8;

  private MobileNetV1() {}

  private static Unit unit(int stride, int out) {
    return new Unit(stride, out);
  }

  /** {@code setNumClasses} is required; width defaults to 1.0; no dropout unless asked for (TF-slim keeps 0.999). */
  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder extends MobileNetBuilder<Builder> {
    Builder() {
      super(0f);
    }

    @Override
    String family() {
      return "MobileNet V1";
    }

    private int depth(int channels) {
      return Math.max((int) (channels * width), MIN_DEPTH);
    }

    @Override
    Block buildChecked() {
      SequentialBlock net = new SequentialBlock();
      int in = depth(STEM_CHANNELS);
      if (quantized) {
        net.add(new ActivationQuantizer()); // the input image, as the int8 model receives it
      }
      net.add(Layers.convBn(in, 3, 2, 1, Act.RELU, quantized));
      for (Unit u : TABLE_1) {
        int out = depth(u.out());
        net.add(Layers.convBn(in, 3, u.stride(), in, Act.RELU, quantized));
        net.add(Layers.convBn(out, 1, 1, 1, Act.RELU, quantized));
        in = out;
      }
      net.add(Pool.globalAvgPool2dBlock())
          .add(Blocks.batchFlattenBlock());
      if (quantized) {
        net.add(new ActivationQuantizer()); // the classifier's input
      }
      if (dropout > 0) {
        net.add(Dropout.builder().optRate(dropout).build());
      }
      return net.add(Layers.classifier(numClasses, quantized));
    }
  }
}
