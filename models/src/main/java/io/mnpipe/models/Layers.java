package io.mnpipe.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import io.mnpipe.models.quant.ActivationQuantizer;
import io.mnpipe.models.quant.FoldedConvBatchNorm;
import io.mnpipe.models.quant.QuantizedLinear;
import java.util.List;

/** Channel counts and kernel settings in, the conv/BN/activation building blocks MobileNets share out. */
final class Layers {
  /** torchvision's BatchNorm2d defaults: eps 1e-5, running-stat momentum 0.1 (DJL counts it as 0.9). */
  static final float BN_EPSILON = 1e-5f;
  static final float BN_MOMENTUM = 0.9f;

  private Layers() {}

  /** Activations a conv unit can end with; NONE is V2's linear bottleneck, HARD_SWISH is V3's. */
  enum Act {
    NONE, RELU, RELU6, HARD_SWISH
  }

  /** torchvision's BatchNorm2d defaults, which V1 and V2 use. */
  static final InvertedResidual.Norm DEFAULT_NORM = new InvertedResidual.Norm(BN_EPSILON, BN_MOMENTUM);

  /** As {@link #convBn(int, int, int, int, Act, InvertedResidual.Norm, boolean)} with the default BatchNorm. */
  static SequentialBlock convBn(int outChannels, int kernel, int stride, int groups, Act act, boolean quantized) {
    return convBn(outChannels, kernel, stride, groups, act, DEFAULT_NORM, quantized);
  }

  /**
   * Conv (no bias, "same" padding) + BatchNorm + activation: torchvision's Conv2dNormActivation.
   * {@code groups == channels} makes it depthwise. With {@code quantized}, its QAT form: the
   * BatchNorm folded into the fake-quantized conv weights, then the activation, then the output
   * fake-quantized to uint8 (every conv output, the linear bottlenecks' too, is an int8 tensor in
   * an int8 model).
   */
  static SequentialBlock convBn(int outChannels, int kernel, int stride, int groups, Act act,
      InvertedResidual.Norm norm, boolean quantized) {
    Block conv = conv(outChannels, kernel, stride, groups, false);
    SequentialBlock b = quantized
        ? new SequentialBlock().add(new FoldedConvBatchNorm((Conv2d) conv, norm.epsilon(), norm.momentum()))
        : new SequentialBlock().add(conv)
            .add(BatchNorm.builder().optEpsilon(norm.epsilon()).optMomentum(norm.momentum()).build());
    if (act != Act.NONE) {
      b.add(activation(act));
    }
    return quantized ? b.add(new ActivationQuantizer()) : b;
  }

  /** The classifier, with its weight fake-quantized when {@code quantized}. */
  static Block classifier(int numClasses, boolean quantized) {
    return quantized ? new QuantizedLinear((Linear) classifier(numClasses)) : classifier(numClasses);
  }

  /** {@code body(x) + x}, the sum fake-quantized when {@code quantized}. */
  static Block residual(Block body, boolean quantized) {
    return quantized ? new SequentialBlock().add(residual(body)).add(new ActivationQuantizer()) : residual(body);
  }

  /** A bare conv with "same" padding, initialised as torchvision does. */
  static Block conv(int outChannels, int kernel, int stride, int groups, boolean bias) {
    int pad = (kernel - 1) / 2;
    Block conv = Conv2d.builder()
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad))
        .setFilters(outChannels)
        .optGroups(groups)
        .optBias(bias)
        .build();
    // torchvision: kaiming_normal_(mode="fan_out") for every conv of a MobileNet; biases start at 0.
    conv.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
        XavierInitializer.FactorType.OUT, 2), Parameter.Type.WEIGHT);
    return conv;
  }

  static Block activation(Act act) {
    return switch (act) {
      case RELU -> Activation.reluBlock();
      case RELU6 -> LambdaBlock.singleton(Layers::relu6, "relu6");
      case HARD_SWISH -> LambdaBlock.singleton(Layers::hardSwish, "hardswish");
      case NONE -> Blocks.identityBlock();
    };
  }

  static NDArray relu6(NDArray x) {
    return FusedActivations.relu6(x);
  }

  static NDArray hardSwish(NDArray x) {
    return FusedActivations.hardSwish(x);
  }

  static NDArray hardSigmoid(NDArray x) {
    return FusedActivations.hardSigmoid(x);
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
