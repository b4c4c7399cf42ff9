package io.mnpipe.models;

import io.mnpipe.models.Layers.Act;

/**
 * One inverted-residual block, as torchvision's InvertedResidualConfig describes it and the papers'
 * tables list it: depthwise kernel, expanded width, output width, squeeze-and-excite, nonlinearity
 * and stride. Its input width is the previous block's output.
 */
record InvertedResidualConfig(int kernel, int expanded, int out, boolean se, Act act, int stride) {
  /** The row with both widths mapped through {@code channels} (a family's rounding of width x multiplier). */
  InvertedResidualConfig scaled(java.util.function.IntUnaryOperator channels) {
    return new InvertedResidualConfig(kernel, channels.applyAsInt(expanded), channels.applyAsInt(out), se, act,
        stride);
  }
}
