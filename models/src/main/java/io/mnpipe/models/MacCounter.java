package io.mnpipe.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;

/**
 * A block and its input shape in, the multiply-accumulates of one forward pass out, counted from the
 * block's own layers as the MobileNet papers count them: convolutions ({@code k*k*cin/groups*cout*Hout*Wout},
 * the squeeze-excite 1x1 convs included) and linear layers ({@code in*out}). BatchNorm, activations,
 * pooling, bias adds and the element-wise products/sums of SE and shortcuts are not counted.
 * Works on built blocks before {@code initialize}: only output shapes are inferred.
 */
public final class MacCounter {
  private MacCounter() {}

  /** MACs of one pass over {@code input} (its batch dimension included: give batch 1 for per-image). */
  public static long count(Block block, Shape input) {
    return walk(block, input).macs;
  }

  private record Step(long macs, Shape out) {}

  private static Step walk(Block block, Shape in) {
    if (block instanceof SequentialBlock) {
      long macs = 0;
      Shape shape = in;
      for (Block child : block.getChildren().values()) {
        Step s = walk(child, shape);
        macs += s.macs;
        shape = s.out;
      }
      return new Step(macs, shape);
    }
    Shape out = block.getOutputShapes(new Shape[] {in})[0];
    if (block instanceof ParallelBlock) {
      long macs = 0;
      for (Block child : block.getChildren().values()) {
        macs += walk(child, in).macs;
      }
      return new Step(macs, out);
    }
    if (block instanceof Convolution conv) {
      long kernel = conv.getKernelShape().size();
      long perOutput = kernel * (in.get(1) / conv.getGroups());
      return new Step(perOutput * out.size(), out);
    }
    if (block instanceof Linear) {
      return new Step(in.size() * out.get(out.dimension() - 1), out);
    }
    if (!block.getChildren().isEmpty()) {
      throw new IllegalArgumentException("cannot count MACs inside " + block.getClass().getSimpleName()
          + ": only SequentialBlock and ParallelBlock are walked; teach MacCounter this container");
    }
    return new Step(0, out);
  }
}
