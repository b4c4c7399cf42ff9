package io.mnpipe.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Agrees with the formula torch's CrossEntropyLoss(label_smoothing) implements. */
class LabelSmoothingLossTest {
  @Test
  void matchesHandComputedValue() {
    float[] logits = {2f, 0f, -1f, 0.5f, 0.5f, 3f};
    long[] labels = {0, 2};
    float eps = 0.1f;
    double expected = 0;
    for (int i = 0; i < 2; i++) {
      double lse = 0;
      for (int k = 0; k < 3; k++) {
        lse += Math.exp(logits[i * 3 + k]);
      }
      lse = Math.log(lse);
      double nll = lse - logits[i * 3 + (int) labels[i]];
      double uniform = 0;
      for (int k = 0; k < 3; k++) {
        uniform += (lse - logits[i * 3 + k]) / 3;
      }
      expected += ((1 - eps) * nll + eps * uniform) / 2;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      float got = new LabelSmoothingLoss(eps).evaluate(new NDList(m.create(labels)),
          new NDList(m.create(logits, new Shape(2, 3)))).getFloat();
      assertEquals(expected, got, 1e-5);
      float plain = new LabelSmoothingLoss(0f).evaluate(new NDList(m.create(labels)),
          new NDList(m.create(logits, new Shape(2, 3)))).getFloat();
      double lse0 = Math.log(Math.exp(2) + 1 + Math.exp(-1));
      double lse1 = Math.log(2 * Math.exp(0.5) + Math.exp(3));
      assertEquals(((lse0 - 2) + (lse1 - 3)) / 2, plain, 1e-5);
    }
  }
}
