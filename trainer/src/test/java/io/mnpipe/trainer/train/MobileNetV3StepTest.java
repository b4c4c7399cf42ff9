package io.mnpipe.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import io.mnpipe.models.TestSamples;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.trainer.TrainerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One SGD step of each MobileNet V3 variant: a finite loss near ln(classes), every trained parameter moved. */
class MobileNetV3StepTest {
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
