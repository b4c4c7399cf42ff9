package io.mnpipe.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.mnpipe.trainer.TestSamples;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.data.BatchAssembler;
import io.mnpipe.trainer.data.SampleBatch;
import io.mnpipe.trainer.train.ModelTrainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** V3's own pieces: the hard activations, the builder's checks, a parameter round trip, one SGD step per variant. */
class MobileNetV3Test {
  @Test
  void hardActivationsFollowTheirDefinitions() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] x = {-4f, -3f, -1.5f, 0f, 1f, 3f, 5f};
      float[] swish = new float[x.length];
      float[] sigmoid = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        float relu6 = Math.min(6f, Math.max(0f, x[i] + 3f));
        swish[i] = x[i] * relu6 / 6f;
        sigmoid[i] = relu6 / 6f;
      }
      assertArrayEquals(swish, Layers.hardSwish(m.create(x)).toFloatArray(), 1e-6f);
      assertArrayEquals(sigmoid, Layers.hardSigmoid(m.create(x)).toFloatArray(), 1e-6f);
    }
  }

  @Test
  void builderNamesWhatIsMissing() {
    var e = assertThrows(IllegalArgumentException.class, () -> MobileNetV3.builder().setNumClasses(10).build());
    assertTrue(e.getMessage().contains("LARGE or SMALL"), e.getMessage());
  }

  @Test
  void savedParametersLoadIntoAFreshBlock() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape input = new Shape(2, 3, 32, 32);
      Block a = MobileNets.create("mobilenet_v3_small_075", 5);
      a.initialize(m, DataType.FLOAT32, input);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.saveParameters(new DataOutputStream(bytes));
      Block b = MobileNets.create("mobilenet_v3_small_075", 5);
      b.initialize(m, DataType.FLOAT32, input);
      b.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      NDArray x = m.randomNormal(input);
      ParameterStore ps = new ParameterStore(m, false);
      assertArrayEquals(a.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
          b.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), 1e-5f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mobilenet_v3_small_075", "mobilenet_v3_large_075"})
  void oneStepHasFiniteLossAndChangesWeights(String model) {
    TrainerConfig config = TrainerConfig.builder(model, 4, Path.of("target/unused")).imageSize(32).batchSize(4)
        .lr(0.05).runId("t").build();
    try (ModelTrainer t = new ModelTrainer(config, 10)) {
      Map<String, float[]> before = snapshot(t);
      float loss = t.step(batch(4, 32));
      assertTrue(Float.isFinite(loss), "loss " + loss);
      assertTrue(loss > 0.5 && loss < 5, "a 4-class start should be near ln 4, got " + loss);
      Map<String, float[]> after = snapshot(t);
      long changed = before.keySet().stream().filter(k -> !Arrays.equals(before.get(k), after.get(k))).count();
      assertEquals(before.size(), changed, changed + " of " + before.size() + " parameters changed");
    }
  }

  private static SampleBatch batch(int n, int size) {
    BatchAssembler a = new BatchAssembler(n, size, 4, 0);
    SampleBatch b = null;
    for (var s : TestSamples.dataset(n, 4, size, 7)) {
      b = a.add(s);
    }
    return b;
  }

  private static Map<String, float[]> snapshot(ModelTrainer t) {
    Map<String, float[]> m = new LinkedHashMap<>();
    for (var p : t.model().getBlock().getParameters()) {
      Parameter.Type type = p.getValue().getType();
      if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
        m.put(p.getKey(), p.getValue().getArray().toFloatArray());
      }
    }
    return m;
  }
}
