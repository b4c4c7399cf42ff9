package io.mnpipe.models.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Fake quantization against values worked out by hand; scales are powers of two so the arithmetic is exact. */
class FakeQuantTest {
  /** Range [-1, 2.984375]: scale (2.984375 + 1) / 255 = 1/64, zero point 1 / (1/64) = 64. */
  private static final float[] RANGE = {-1f, 2.984375f, 1f};
  private static final float S = 1f / 64;

  @Test
  void uint8ParametersOfARange() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertArrayEquals(new float[] {S, 64f}, FakeQuant.affineParams(m.create(RANGE)).toFloatArray(), 0f);
      // A range that excludes zero is widened to hold it: [0.5, 2] quantizes as [0, 2], zero point 0.
      assertArrayEquals(new float[] {2f / 255, 0f}, FakeQuant.affineParams(m.create(new float[] {0.5f, 2f}))
          .toFloatArray(), 1e-9f);
      // An all-zero range gets the smallest scale instead of dividing by zero.
      assertArrayEquals(new float[] {FakeQuant.MIN_SCALE, 0f}, FakeQuant.affineParams(m.create(new float[2]))
          .toFloatArray(), 0f);
    }
  }

  @Test
  void perTensorRoundsHalfToEvenClampsAndKeepsZeroExact() {
    float[] x = {0f, 2.5f * S, 3.5f * S, 10.2f * S, -1f, -3f, 5f, 2.984375f};
    // q = round(x/S) + 64: 64, 66.5->66, 67.5->68, 74.2->74, 0, -128->0 (clamped), 384->255 (clamped), 255
    float[] want = {0f, 2 * S, 4 * S, 10 * S, -1f, -1f, 191 * S, 191 * S};
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray in = m.create(x);
      assertArrayEquals(want, FakeQuant.perTensorAffine(in, m.create(RANGE)).toFloatArray(), 0f);
      // Straight-through: gradient 1 inside the representable range [-1, 2.984375], 0 outside.
      in.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(FakeQuant.perTensorAffine(in, m.create(RANGE)).sum());
      }
      assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0, 0, 1}, in.getGradient().toFloatArray(), 0f);
    }
  }

  @Test
  void perChannelSymmetricScalesEachOutputChannelByItsOwnMaximum() {
    // Channel 0: max |w| = 127/64, scale 1/64; channel 1: max |w| = 2, scale 2/127.
    float[] w = {127 * S, 1.5f * S, -2f, 0.3f};
    float c1 = 2f / 127;
    float[] want = {127 * S, 2 * S, -2f, 19 * c1}; // 1.5 -> 2 (half to even); 0.3 / (2/127) = 19.05 -> 19
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray in = m.create(w, new Shape(2, 1, 1, 2));
      assertArrayEquals(new float[] {S, c1}, FakeQuant.symmetricScales(in).toFloatArray(), 1e-9f);
      assertArrayEquals(want, FakeQuant.perChannelSymmetric(in).toFloatArray(), 1e-7f);
      in.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(FakeQuant.perChannelSymmetric(in).mul(m.create(new float[] {1, 2, 3, 4}, new Shape(2, 1, 1, 2)))
            .sum());
      }
      // No weight lies outside its symmetric range, so every gradient passes; none flows into the scales.
      assertArrayEquals(new float[] {1, 2, 3, 4}, in.getGradient().toFloatArray(), 0f);
    }
  }
}
