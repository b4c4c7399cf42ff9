package io.mnpipe.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The update rule by hand on two numbers, with and without Nesterov, and momentum that survives save and load. */
class DecayMaskedSgdTest {
  private static Block linear(NDManager m) {
    Block b = Linear.builder().setUnits(1).build();
    b.initialize(m, DataType.FLOAT32, new Shape(1, 2));
    return b;
  }

  private static Parameter weight(Block b) {
    return b.getParameters().values().stream().filter(p -> p.getType() == Parameter.Type.WEIGHT).findFirst()
        .orElseThrow();
  }

  private static float[] twoSteps(boolean nesterov) {
    try (NDManager m = NDManager.newBaseManager()) {
      Block b = linear(m);
      DecayMaskedSgd sgd = DecayMaskedSgd.forBlock(b, Tracker.fixed(0.1f), 0.9f, 0f, nesterov, () -> 0);
      NDArray w = m.create(new float[] {1, 2}, new Shape(1, 2));
      NDArray g = m.create(new float[] {0.5f, 0.5f}, new Shape(1, 2));
      String id = weight(b).getId();
      sgd.update(id, w, g);
      sgd.update(id, w, g);
      return w.toFloatArray();
    }
  }

  @Test
  void momentumAndNesterovFollowTheMxnetFormOfTheRule() {
    // state = 0.9 state + 0.1 g: 0.05, then 0.095. Plain: w -= state. Nesterov: w -= 0.9 state + 0.1 g.
    assertArrayEquals(new float[] {0.855f, 1.855f}, twoSteps(false), 1e-6f);
    assertArrayEquals(new float[] {0.7695f, 1.7695f}, twoSteps(true), 1e-6f);
  }

  @Test
  void savedMomentumContinuesExactlyInAnotherOptimizer() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Block b = linear(m);
      String id = weight(b).getId();
      DecayMaskedSgd first = DecayMaskedSgd.forBlock(b, Tracker.fixed(0.1f), 0.9f, 0.01f, false, () -> 0);
      NDArray w = m.create(new float[] {1, 2}, new Shape(1, 2));
      NDArray g = m.create(new float[] {0.5f, -0.5f}, new Shape(1, 2));
      first.update(id, w, g);
      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      first.saveState(saved);
      NDArray w2 = w.duplicate();
      first.update(id, w, g);

      Block other = linear(m); // another block instance: parameter ids differ, names match
      DecayMaskedSgd second = DecayMaskedSgd.forBlock(other, Tracker.fixed(0.1f), 0.9f, 0.01f, false, () -> 0);
      second.loadState(new ByteArrayInputStream(saved.toByteArray()), m, 1);
      second.update(weight(other).getId(), w2, g);
      assertArrayEquals(w.toFloatArray(), w2.toFloatArray(), 1e-7f);
      assertEquals(1, first.noDecayCount(), "the bias is exempt from weight decay");

      Block wider = Linear.builder().setUnits(3).build();
      wider.initialize(m, DataType.FLOAT32, new Shape(1, 2));
      DecayMaskedSgd alien = DecayMaskedSgd.forBlock(wider, Tracker.fixed(0.1f), 0.9f, 0f, false, () -> 0);
      var e = assertThrows(IllegalStateException.class,
          () -> alien.loadState(new ByteArrayInputStream(saved.toByteArray()), m, 1));
      assertTrue(e.getMessage().contains("another model"), e.getMessage());
    }
  }
}
