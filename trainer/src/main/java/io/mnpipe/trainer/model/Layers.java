package io.mnpipe.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import java.util.List;

/** Channel counts and kernel settings in, the conv/BN/activation building blocks MobileNets share out. */
final class Layers {
  /** torchvision's BatchNorm2d defaults: eps 1e-5, running-stat momentum 0.1 (DJL counts it as 0.9). */
  static final float BN_EPSILON = 1e-5f;
  static final float BN_MOMENTUM = 0.9f;

  private Layers() {}

  /** Activations a conv unit can end with; NONE is V2's linear bottleneck. */
  enum Act {
    NONE, RELU, RELU6
  }

  /**
   * Conv (no bias, "same" padding) + BatchNorm + activation: torchvision's Conv2dNormActivation.
   * {@code groups == channels} makes it depthwise.
   */
  static SequentialBlock convBn(int outChannels, int kernel, int stride, int groups, Act act) {
    int pad = (kernel - 1) / 2;
    Block conv = Conv2d.builder()
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad))
        .setFilters(outChannels)
        .optGroups(groups)
        .optBias(false)
        .build();
    // torchvision: kaiming_normal_(mode="fan_out") for every conv of a MobileNet.
    conv.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
        XavierInitializer.FactorType.OUT, 2), Parameter.Type.WEIGHT);
    SequentialBlock b = new SequentialBlock()
        .add(conv)
        .add(BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(BN_MOMENTUM).build());
    if (act == Act.RELU) {
      b.add(Activation.reluBlock());
    } else if (act == Act.RELU6) {
      b.add(Activation.relu6Block());
    }
    return b;
  }

  /** The classifier: torchvision draws its weights from N(0, 0.01) so the first logits are near zero. */
  static Block classifier(int numClasses) {
    Block linear = Linear.builder().setUnits(numClasses).build();
    linear.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
    return linear;
  }

  /** {@code body(x) + x}: the identity shortcut of an inverted residual block. */
  static Block residual(Block body) {
    return new ParallelBlock(
        outs -> new NDList(outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow())),
        List.of(body, Blocks.identityBlock()));
  }

  /**
   * torchvision/TF's _make_divisible: rounds {@code v} to the nearest multiple of {@code divisor}
   * (at least {@code divisor}), never going more than 10% below {@code v}.
   */
  static int makeDivisible(double v, int divisor) {
    int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
    if (rounded < 0.9 * v) {
      rounded += divisor;
    }
    return rounded;
  }
}
