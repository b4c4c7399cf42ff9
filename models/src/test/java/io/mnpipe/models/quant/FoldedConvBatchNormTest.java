package io.mnpipe.models.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** BatchNorm folding: the folded conv against conv + BatchNorm, in each mode. */
class FoldedConvBatchNormTest {
  private static final Shape INPUT = new Shape(2, 4, 6, 6);
  private static final float EPS = 1e-5f;

  @Test
  void theFoldedConvIsConvPlusBatchNormInEvalModeTo1e5() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      SequentialBlock ref = new SequentialBlock().add(conv()).add(BatchNorm.builder().optEpsilon(EPS).build());
      ref.initialize(m, DataType.FLOAT32, INPUT);
      // BatchNorm statistics and affine far from their initial 0/1, so that folding has work to do.
      var p = ref.getParameters();
      p.get("02BatchNorm_gamma").getArray().set(m.randomUniform(0.2f, 2f, new Shape(8)).toFloatArray());
      p.get("02BatchNorm_beta").getArray().set(m.randomNormal(new Shape(8)).toFloatArray());
      p.get("02BatchNorm_runningMean").getArray().set(m.randomNormal(new Shape(8)).toFloatArray());
      p.get("02BatchNorm_runningVar").getArray().set(m.randomUniform(0.1f, 3f, new Shape(8)).toFloatArray());
      FoldedConvBatchNorm folded = folded();
      folded.initialize(m, DataType.FLOAT32, INPUT);
      Quantization.copyFloatWeights(ref, folded);
      NDArray x = m.randomNormal(INPUT);
      ParameterStore ps = new ParameterStore(m, false);
      float[] want = ref.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();

      Quantization.configure(folded, Quantization.Mode.FLOAT_EVAL);
      assertArrayEquals(want, folded.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), 1e-5f);
      NDArray byFoldedWeights = Conv2d.conv2d(x, folded.foldedWeight(), folded.foldedBias(), new Shape(1, 1),
          new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
      assertArrayEquals(want, byFoldedWeights.toFloatArray(), 1e-5f, "conv(x, w*s) + (beta - s*mean)");

      Quantization.configure(folded, Quantization.Mode.INT8_EVAL);
      float[] int8 = folded.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
      NDArray byQuantizedFoldedWeights = Conv2d.conv2d(x, FakeQuant.perChannelSymmetric(folded.foldedWeight()),
          folded.foldedBias(), new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
      assertArrayEquals(byQuantizedFoldedWeights.toFloatArray(), int8, 1e-5f, "the int8 kernel's view");
      assertNotEquals(want[0], int8[0], "rounding the weights changes the output");
    }
  }

  @Test
  void trainingUpdatesTheRunningStatisticsUntilTheyAreFrozen() {
    try (NDManager m = NDManager.newBaseManager()) {
      FoldedConvBatchNorm folded = folded();
      folded.initialize(m, DataType.FLOAT32, INPUT);
      Quantization.configure(folded, Quantization.Mode.QAT);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray mean = folded.bn("runningMean").getArray();
      folded.forward(ps, new NDList(m.randomNormal(INPUT).add(3f)), true);
      float[] afterOne = mean.toFloatArray();
      assertNotEquals(0f, afterOne[0], "batch statistics move the running mean");
      Quantization.freezeBatchNorm(folded, true);
      NDArray x = m.randomNormal(INPUT).add(3f);
      float[] frozenTraining = folded.forward(ps, new NDList(x), true).singletonOrThrow().toFloatArray();
      assertArrayEquals(afterOne, mean.toFloatArray(), 0f, "frozen statistics stay");
      assertArrayEquals(folded.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), frozenTraining,
          0f, "frozen, training normalises as evaluation does");
      assertEquals(true, folded.bnFrozen());
    }
  }

  private static Conv2d conv() {
    return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(8).optBias(false)
        .build();
  }

  private static FoldedConvBatchNorm folded() {
    return new FoldedConvBatchNorm(conv(), EPS, 0.9f);
  }
}
