package io.mnpipe.models.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** How the range of an activation quantizer follows the batches it sees, in each mode. */
class ActivationQuantizerTest {
  private static final float[] A = {-1f, 0f, 3f, 2f}; // min -1, max 3
  private static final float[] B = {-3f, 1f, 0f, 0.5f}; // min -3, max 1

  @Test
  void qatTracksAnExponentialMovingAverageSeededByTheFirstBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      ActivationQuantizer q = quantizer(m, Quantization.Mode.QAT);
      ParameterStore ps = new ParameterStore(m, false);
      q.forward(ps, new NDList(m.create(A)), true);
      assertArrayEquals(new float[] {-1f, 3f, 1f}, q.range().getArray().toFloatArray(), 0f);
      q.forward(ps, new NDList(m.create(B)), true);
      float d = ActivationQuantizer.EMA_DECAY;
      assertArrayEquals(new float[] {-1f * d - 3f * (1 - d), 3f * d + 1f * (1 - d), 1f},
          q.range().getArray().toFloatArray(), 1e-6f);
      // Outside training (an evaluation during QAT) the range stays.
      q.forward(ps, new NDList(m.create(new float[] {-50f, 50f})), false);
      assertArrayEquals(new float[] {-1.02f, 2.98f, 1f}, q.range().getArray().toFloatArray(), 1e-6f);
    }
  }

  @Test
  void calibrationKeepsTheRunningMinimumAndMaximum() {
    try (NDManager m = NDManager.newBaseManager()) {
      ActivationQuantizer q = quantizer(m, Quantization.Mode.CALIBRATE);
      ParameterStore ps = new ParameterStore(m, false);
      NDList out = q.forward(ps, new NDList(m.create(new float[] {0.3f, 0.7f})), false);
      assertArrayEquals(new float[] {0.3f, 0.7f}, out.singletonOrThrow().toFloatArray(), 0f); // passes through, float
      q.forward(ps, new NDList(m.create(A)), false);
      q.forward(ps, new NDList(m.create(B)), false);
      assertArrayEquals(new float[] {-3f, 3f, 1f}, q.range().getArray().toFloatArray(), 0f);
    }
  }

  @Test
  void evaluationFreezesTheRangeAndQuantizesWithIt() {
    try (NDManager m = NDManager.newBaseManager()) {
      ActivationQuantizer q = quantizer(m, Quantization.Mode.INT8_EVAL);
      q.range().getArray().set(new float[] {-1f, 2.984375f, 1f}); // scale 1/64, zero point 64
      NDList out = q.forward(new ParameterStore(m, false), new NDList(m.create(new float[] {5f, 2.5f / 64})), true);
      assertArrayEquals(new float[] {-1f, 2.984375f, 1f}, q.range().getArray().toFloatArray(), 0f);
      assertArrayEquals(new float[] {2.984375f, 2f / 64}, out.singletonOrThrow().toFloatArray(), 0f);
    }
  }

  private static ActivationQuantizer quantizer(NDManager m, Quantization.Mode mode) {
    ActivationQuantizer q = new ActivationQuantizer();
    q.initialize(m, DataType.FLOAT32, new Shape(4));
    Quantization.configure(q, mode);
    return q;
  }
}
