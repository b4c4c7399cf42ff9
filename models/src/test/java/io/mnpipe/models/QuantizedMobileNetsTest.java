package io.mnpipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.mnpipe.models.quant.Quantization;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QAT forms of the registry's models against their float forms. */
class QuantizedMobileNetsTest {
  private static final Shape INPUT = new Shape(4, 3, 32, 32);

  @Test
  void theQuantizedFormHasTheFloatParametersAndComputesTheSameInFloat(@TempDir Path dir) throws Exception {
    for (String name : new String[] {"mobilenet_v1_025", "mobilenet_v2_035"}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block f = MobileNets.create(name, 10);
        f.initialize(m, DataType.FLOAT32, INPUT);
        Block q = MobileNets.create(name, 10, true);
        q.initialize(m, DataType.FLOAT32, INPUT);
        assertEquals(MobileNets.countParameters(f), MobileNets.countParameters(q), name + ": same trainable parameters");
        assertTrue(Quantization.isQuantized(q) && !Quantization.isQuantized(f));
        NDArray x = m.randomNormal(INPUT);
        ParameterStore ps = new ParameterStore(m, false);
        for (int i = 0; i < 40; i++) {
          // Running statistics of real activations: with the initial ones (mean 0, var 1) an untrained
          // net's activations shrink layer by layer towards nothing.
          f.forward(ps, new NDList(x), true);
        }
        Quantization.copyFloatWeights(f, q);
        float[] want = f.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        Quantization.configure(q, Quantization.Mode.FLOAT_EVAL);
        assertArrayEquals(want, q.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), 1e-4f,
            name + ": quantization off is the float model");

        Quantization.configure(q, Quantization.Mode.CALIBRATE);
        q.forward(ps, new NDList(x), false);
        assertEquals(0, Quantization.unobserved(q), "one calibration batch sets every range");
        Quantization.configure(q, Quantization.Mode.INT8_EVAL);
        float[] int8 = q.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        double err = 0;
        double mag = 0;
        for (int i = 0; i < want.length; i++) {
          err += Math.abs(int8[i] - want[i]);
          mag += Math.abs(want[i]);
        }
        assertTrue(err > 0 && err < 0.5 * mag, name + ": int8 rounds, but stays near float (" + err / mag + ")");

        // The ranges are saved with the weights: a reloaded QAT model gives the same int8 logits.
        try (Model saved = Model.newInstance(name)) {
          saved.setBlock(q);
          saved.save(dir, name);
        }
        try (Model loaded = Model.newInstance(name)) {
          loaded.setBlock(MobileNets.create(name, 10, true));
          loaded.load(dir, name);
          Quantization.configure(loaded.getBlock(), Quantization.Mode.INT8_EVAL);
          NDArray lx = loaded.getNDManager().create(x.toFloatArray(), INPUT);
          assertArrayEquals(int8, loaded.getBlock().forward(new ParameterStore(loaded.getNDManager(), false),
              new NDList(lx), false).singletonOrThrow().toFloatArray(), 1e-5f);
        }
      }
    }
  }

  @Test
  void modelsWithoutAQuantizedFormSaySo() {
    var e = assertThrows(IllegalArgumentException.class, () -> MobileNets.create("mobilenet_v3_small_100", 10, true));
    assertTrue(e.getMessage().contains("mobilenet_v2"), e.getMessage());
  }
}
