package io.mnpipe.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import io.mnpipe.models.Layers.Act;
import java.util.List;

/**
 * An {@link InvertedResidualConfig} in, its block out, for V2 and V3 alike (Sandler et al. 2018,
 * fig. 3; Howard et al. 2019, fig. 4): expand 1x1 (skipped when the expanded width is the input's),
 * depthwise k x k, squeeze-and-excite when the row says so, project 1x1 without activation (the
 * linear bottleneck); identity shortcut when the stride is 1 and the widths match.
 */
final class InvertedResidual {
  private InvertedResidual() {}

  /** BatchNorm epsilon and DJL momentum (the weight of the old running statistic) of a family. */
  record Norm(float epsilon, float momentum) {}

  static Block of(int in, InvertedResidualConfig c, Norm norm, boolean quantized) {
    SequentialBlock body = new SequentialBlock();
    if (c.expanded() != in) {
      body.add(Layers.convBn(c.expanded(), 1, 1, 1, c.act(), norm, quantized));
    }
    body.add(Layers.convBn(c.expanded(), c.kernel(), c.stride(), c.expanded(), c.act(), norm, quantized));
    if (c.se()) {
      if (quantized) {
        throw new IllegalArgumentException("squeeze-and-excitation has no quantized form yet");
      }
      body.add(squeezeExcite(c.expanded()));
    }
    body.add(Layers.convBn(c.out(), 1, 1, 1, Act.NONE, norm, quantized));
    return c.stride() == 1 && in == c.out() ? Layers.residual(body, quantized) : body;
  }

  /**
   * {@code x * hardsigmoid(fc2(relu(fc1(avgpool(x)))))}, fc1/fc2 being 1x1 convs with bias through
   * {@code _make_divisible(channels // 4, 8)} channels.
   */
  static Block squeezeExcite(int channels) {
    int squeeze = Layers.makeDivisible(channels / 4, 8);
    SequentialBlock scale = new SequentialBlock()
        .add(LambdaBlock.singleton(InvertedResidual::squeeze, "se_pool"))
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
}
