package io.mnpipe.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.mnpipe.models.TestSamples;
import io.mnpipe.models.checkpoint.Checkpoint;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.Normalizer;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.input.SampleSource;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop on an in-memory source: periodic and final checkpoints, bad samples skipped, limits honoured. */
class TrainingLoopTest {
  @TempDir
  Path dir;

  private TrainerConfig.Builder config(String runId) {
    return TrainerConfig.builder("mobilenet_v1_025", 4, dir).imageSize(32).batchSize(8).lr(0.05).runId(runId)
        .checkpointEverySteps(3).logEverySteps(2);
  }

  @Test
  void trainsEveryValidSampleAndCheckpointsPeriodicallyAndAtTheEnd() {
    List<AugmentedSample> data = new ArrayList<>(TestSamples.dataset(60, 4, 32, 3));
    data.add(10, TestSamples.sample("tiny", 0, 8, 8, 3, 1, new byte[192]));
    data.add(20, TestSamples.solid("label9", 0, 32, 1, new SplittableRandom(1)));
    data.get(20).setLabel(9);
    List<Checkpoint> published = new ArrayList<>();
    TrainResult r = new TrainingLoop(config("loop").build(), SampleSource.of(data, 7), published::add).run();

    assertEquals(60, r.samplesTrained());
    assertEquals(2, r.skipped());
    assertEquals(8, r.steps()); // 7 full batches of 8, one of 4
    assertEquals("end of input", r.stopReason());
    assertTrue(Double.isFinite(r.lastLoss()));
    assertEquals(List.of(3L, 6L, 8L), r.checkpoints().stream().map(c -> c.meta().step()).toList());
    assertEquals(r.checkpoints(), published);
    assertTrue(r.checkpoints().get(2).meta().isFinal());
    assertFalse(r.checkpoints().get(1).meta().isFinal());
    for (Checkpoint c : r.checkpoints()) {
      assertTrue(Files.isRegularFile(c.dir().resolve(Checkpoints.META_FILE)), c.dir().toString());
      assertEquals(c.meta(), Checkpoints.readMeta(c.dir()));
    }
    assertEquals(r.checkpoints().stream().map(Checkpoint::dir).toList(), Checkpoints.list(dir.resolve("loop")));
    assertTrue(Files.isRegularFile(dir.resolve("loop").resolve(Checkpoints.CONFIG_FILE)));
    assertEquals(60.0, metric("mnpipe_train_samples", "loop"));
    assertEquals(2.0, metric("mnpipe_train_skipped", "loop"));
    assertEquals(8.0, metric("mnpipe_train_step", "loop"));
    assertTrue(metric("mnpipe_train_images_per_second", "loop") > 0);
  }

  /** The value of series {@code name{run=...}} in the default registry (counters lose their _total there). */
  private static double metric(String name, String run) {
    for (MetricSnapshot m : PrometheusRegistry.defaultRegistry.scrape()) {
      if (m.getMetadata().getName().equals(name)) {
        for (DataPointSnapshot d : m.getDataPoints()) {
          if (run.equals(d.getLabels().get("run"))) {
            return d instanceof CounterSnapshot.CounterDataPointSnapshot c ? c.getValue()
                : ((GaugeSnapshot.GaugeDataPointSnapshot) d).getValue();
          }
        }
      }
    }
    return Double.NaN;
  }

  @Test
  void maxStepsEndsTheRunWithAFinalCheckpointThatLoadsBack() throws Exception {
    List<AugmentedSample> data = TestSamples.dataset(80, 4, 32, 4);
    TrainResult r = new TrainingLoop(config("capped").maxSteps(2).checkpointEverySteps(0).build(),
        SampleSource.of(data, 16), c -> { }).run();
    assertEquals(2, r.steps());
    assertEquals(16, r.samplesTrained());
    assertEquals("maxSteps", r.stopReason());
    assertEquals(1, r.checkpoints().size());
    Checkpoint last = r.checkpoints().get(0);
    assertTrue(last.meta().isFinal());

    try (Checkpoints.Loaded a = Checkpoints.load(last.dir()); Checkpoints.Loaded b = Checkpoints.load(last.dir());
        NDManager m = NDManager.newBaseManager()) {
      BatchAssembler asm = new BatchAssembler(8, 32, 4, 0); // 4 samples stay in a partial batch
      data.subList(0, 4).forEach(asm::add);
      SampleBatch batch = asm.flush(1);
      NDArray x = new Normalizer(m).toInput(batch, m);
      float[] ya = a.model().getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      float[] yb = b.model().getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      assertEquals(16, ya.length);
      assertArrayEquals(ya, yb);
      assertEquals("mobilenet_v1_025", a.meta().model());
    }
  }

  @Test
  void emptyInputWritesNoCheckpoint() {
    TrainResult r = new TrainingLoop(config("empty").build(), SampleSource.of(List.of(), 4), c -> { }).run();
    assertEquals(0, r.steps());
    assertTrue(r.checkpoints().isEmpty());
  }
}
