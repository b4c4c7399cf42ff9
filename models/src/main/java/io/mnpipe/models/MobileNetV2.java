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
 * A width multiplier and class count in, MobileNet V2 (Sandler et al. 2018) out, as torchvision
 * builds it: inverted residual blocks with linear bottlenecks and ReLU6, channels rounded to
 * multiples of 8, a 1x1 conv to 1280*max(1, width) channels, dropout 0.2 and a linear classifier.
 * Input NCHW float, output logits (N, classes).
 */
public final class MobileNetV2 {
  /** One row of table 2: a sequence of n bottlenecks of expansion t to c channels, the first of stride s. */
  record Bottleneck(int t, int c, int n, int s) {}

  /** Sandler et al. 2018, table 2, after the 3x3/2 stem of 32 channels (every depthwise conv is 3x3). */
  static final List<Bottleneck> TABLE_2 = List.of(
      //         t    c   n  s
      bottleneck(1,  16, 1, 1),
      bottleneck(6,  24, 2, 2),
      bottleneck(6,  32, 3, 2),
      bottleneck(6,  64, 4, 2),
      bottleneck(6,  96, 3, 1),
      bottleneck(6, 160, 3, 2),
      bottleneck(6, 320, 1, 1));
  static final int STEM_CHANNELS = 32;
  static final int LAST_CHANNELS = 1280;
  static final int ROUND_NEAREST = 8;

  private MobileNetV2() {}

  private static Bottleneck bottleneck(int t, int c, int n, int s) {
    return new Bottleneck(t, c, n, s);
  }

  /** {@code setNumClasses} is required; width defaults to 1.0 and dropout to the paper's 0.2. */
  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder extends MobileNetBuilder<Builder> {
    Builder() {
      super(0.2f);
    }

    @Override
    String family() {
      return "MobileNet V2";
    }

    @Override
    Block buildChecked() {
      SequentialBlock net = new SequentialBlock();
      int in = Layers.makeDivisible(STEM_CHANNELS * width, ROUND_NEAREST);
      int last = Layers.makeDivisible(LAST_CHANNELS * Math.max(1.0f, width), ROUND_NEAREST);
      if (quantized) {
        net.add(new ActivationQuantizer()); // the input image, as the int8 model receives it
      }
      net.add(Layers.convBn(in, 3, 2, 1, Act.RELU6, quantized));
      for (Bottleneck row : TABLE_2) {
        int out = Layers.makeDivisible(row.c() * width, ROUND_NEAREST);
        for (int i = 0; i < row.n(); i++) {
          var block = new InvertedResidualConfig(3, Math.round(in * (float) row.t()), out, false, Act.RELU6,
              i == 0 ? row.s() : 1);
          net.add(InvertedResidual.of(in, block, Layers.DEFAULT_NORM, quantized));
          in = out;
        }
      }
      net.add(Layers.convBn(last, 1, 1, 1, Act.RELU6, quantized))
          .add(Pool.globalAvgPool2dBlock())
          .add(Blocks.batchFlattenBlock());
      if (quantized) {
        net.add(new ActivationQuantizer()); // the classifier's input
      }
      return net.add(Dropout.builder().optRate(dropout).build())
          .add(Layers.classifier(numClasses, quantized));
    }
  }
}
