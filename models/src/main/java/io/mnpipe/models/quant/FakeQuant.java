package io.mnpipe.models.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Fake quantization, the arithmetic of Jacob et al. (CVPR 2018) as TFLite and PyTorch's
 * torch.ao.quantization apply it: a float tensor in, the float tensor an int8 kernel would see out
 * ({@code (clamp(round(x / scale) + zeroPoint, qmin, qmax) - zeroPoint) * scale}), with a
 * straight-through estimator in the backward pass: the gradient passes unchanged where x lies inside
 * the representable range and is zero outside it. Rounding is half to even (torch.round, ONNX
 * QuantizeLinear). Scales and zero points are computed from detached values, so no gradient flows
 * into them.
 */
public final class FakeQuant {
  /** Activations: unsigned 8-bit, asymmetric. */
  public static final int UINT8_MAX = 255;
  /** Weights: signed 8-bit, symmetric on the restricted range [-127, 127] (TFLite's), zero point 0. */
  public static final int INT8_MAX = 127;
  /** Smallest scale, so that an all-zero tensor or channel does not divide by zero. */
  public static final float MIN_SCALE = 1e-8f;

  private FakeQuant() {}

  /**
   * The per-tensor uint8 parameters of a range: the range is first widened to hold 0 (so that zero,
   * e.g. padding, is exact), then {@code scale = (max - min) / 255}, {@code zeroPoint = round(-min /
   * scale)} in [0, 255].
   *
   * @param range shape (2) or more: {min, max, ...}
   * @return shape (2): {scale, zeroPoint} (the zero point as a float holding an integer)
   */
  public static NDArray affineParams(NDArray range) {
    return NDArrays.stack(new ai.djl.ndarray.NDList(scaleAndZeroPoint(range)));
  }

  /** {@link #affineParams} as two scalars, {scale, zeroPoint}, for the forward pass (no stack to take apart). */
  private static NDArray[] scaleAndZeroPoint(NDArray range) {
    NDArray r = range.stopGradient();
    NDArray lo = r.get(0).minimum(0f);
    NDArray hi = r.get(1).maximum(0f);
    NDArray scale = hi.sub(lo).div(UINT8_MAX).maximum(MIN_SCALE);
    return new NDArray[] {scale, lo.neg().div(scale).round().clip(0, UINT8_MAX)};
  }

  /** {@code x} fake-quantized per tensor to uint8 with {@link #affineParams} of {@code range}. */
  public static NDArray perTensorAffine(NDArray x, NDArray range) {
    NDArray[] p = scaleAndZeroPoint(range);
    NDArray scale = p[0];
    NDArray zeroPoint = p[1];
    return steRound(x.div(scale).add(zeroPoint).clip(0, UINT8_MAX)).sub(zeroPoint).mul(scale);
  }

  /**
   * Per-output-channel symmetric scales of a weight whose first axis is the output channel:
   * {@code max|w_c| / 127}, shaped (C, 1, ...) to broadcast against {@code w}.
   */
  public static NDArray symmetricScales(NDArray w) {
    long[] shape = new long[w.getShape().dimension()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = w.getShape().get(0);
    // libtorch reduces one axis at a time: flatten each channel first.
    return w.stopGradient().abs().reshape(shape[0], -1).max(new int[] {1}, true).div(INT8_MAX).maximum(MIN_SCALE)
        .reshape(new ai.djl.ndarray.types.Shape(shape));
  }

  /** {@code w} fake-quantized per output channel (axis 0) to int8, symmetric. */
  public static NDArray perChannelSymmetric(NDArray w) {
    NDArray scale = symmetricScales(w);
    return steRound(w.div(scale).clip(-INT8_MAX, INT8_MAX)).mul(scale);
  }

  /** round(x) in the forward pass, identity in the backward pass. */
  private static NDArray steRound(NDArray x) {
    return x.add(x.round().sub(x).stopGradient());
  }
}
