package io.mnpipe.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One step per family on a tiny batch: the loss is finite and the weights move; a blow-up stops training. */
class ModelTrainerTest {
  private static SampleBatch batch(int n, int size) {
    BatchAssembler a = new BatchAssembler(n, size, 4, 0);
    SampleBatch b = null;
    for (var s : TestSamples.dataset(n, 4, size, 7)) {
      b = a.add(s);
    }
    return b;
  }

  private static TrainerConfig config(String model, double lr) {
    return TrainerConfig.builder(model, 4, Path.of("target/unused")).imageSize(32).batchSize(4).lr(lr).runId("t")
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mobilenet_v1_025", "mobilenet_v2_035"})
  void oneStepHasFiniteLossAndChangesWeights(String model) {
    try (ModelTrainer t = new ModelTrainer(config(model, 0.05), 10)) {
      Map<String, float[]> before = snapshot(t);
      float loss = t.step(batch(4, 32));
      assertTrue(Float.isFinite(loss), "loss " + loss);
      assertTrue(loss > 0.5 && loss < 5, "a 4-class start should be near ln 4, got " + loss);
      assertEquals(1, t.steps());
      Map<String, float[]> after = snapshot(t);
      long changed = before.keySet().stream().filter(k -> !Arrays.equals(before.get(k), after.get(k))).count();
      assertEquals(before.size(), changed, changed + " of " + before.size() + " parameters changed");
    }
  }

  @Test
  void batchesSplitEvenlyOverDevicesWithTwoSamplesEachAtLeast() {
    assertArrayEquals(new int[] {64}, ModelTrainer.shares(64, 1));
    assertArrayEquals(new int[] {16, 16, 16, 16}, ModelTrainer.shares(64, 4));
    assertArrayEquals(new int[] {22, 21, 21}, ModelTrainer.shares(64, 3));
    assertArrayEquals(new int[] {3, 2}, ModelTrainer.shares(5, 8), "a short last batch uses fewer devices");
    assertArrayEquals(new int[] {2}, ModelTrainer.shares(2, 8));
  }

  @Test
  void ampIsRefusedOnTheCpuWithWhatToDo() {
    TrainerConfig amp = TrainerConfig.builder("mobilenet_v2_035", 4, Path.of("target/unused")).imageSize(32)
        .batchSize(4).runId("t").amp(true).build();
    var e = assertThrows(IllegalArgumentException.class, () -> new ModelTrainer(amp, 10).close());
    assertTrue(e.getMessage().contains("trains on the CPU, in float32; drop --amp"), e.getMessage());
  }

  @Test
  void divergenceStopsWithAClearMessage() {
    try (ModelTrainer t = new ModelTrainer(config("mobilenet_v1_025", 1e9), 0)) {
      SampleBatch b = batch(4, 32);
      var e = assertThrows(IllegalStateException.class, () -> {
        for (int i = 0; i < 50; i++) {
          t.step(b);
        }
      });
      assertTrue(e.getMessage().contains("training diverged"), e.getMessage());
      assertFalse(e.getMessage().contains("null"), e.getMessage());
    }
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
