package io.mnpipe.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.mnpipe.models.TestSamples;
import io.mnpipe.models.checkpoint.Checkpoint;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.SampleSource;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.trainer.checkpoint.TrainState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped and started again on its folder continues exactly: same weights as a run never
 * stopped (so momentum, BatchNorm statistics, step and LR came back), every sample trained once.
 */
class TrainingLoopResumeTest {
  private static final List<AugmentedSample> DATA = TestSamples.dataset(48, 4, 32, 5);

  @TempDir
  Path dir;

  private TrainerConfig.Builder config(String runId) {
    // epochs x samplesPerEpoch fix the schedule, so a capped first attempt plans the same 6 steps.
    return TrainerConfig.builder("mobilenet_v1_025", 4, dir).imageSize(32).batchSize(8).lr(0.2).warmupSteps(2)
        .epochs(1).samplesPerEpoch(48).runId(runId).checkpointEverySteps(0).traceKeys(true);
  }

  private TrainResult run(TrainerConfig c, List<Checkpoint> announced) {
    return new TrainingLoop(c, SampleSource.of(DATA, 5), announced::add).run();
  }

  @Test
  void stoppedAndResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
    TrainResult straight = run(config("straight").build(), new ArrayList<>());
    assertEquals(6, straight.steps());

    List<Checkpoint> announced = new ArrayList<>();
    TrainResult first = run(config("split").maxSteps(2).build(), announced);
    assertEquals(2, first.steps());
    Path cp2 = first.checkpoints().get(0).dir();
    assertEquals(Map.of(0, 16L), TrainState.read(cp2).offsets());
    assertTrue(Files.isRegularFile(cp2.resolve(TrainState.OPTIMIZER_FILE)));
    // The same checkpoint without its momentum buffers, to show they matter.
    Path bare = dir.resolve("bare").resolve(cp2.getFileName());
    Files.createDirectories(bare);
    try (var files = Files.list(cp2)) {
      for (Path f : files.filter(f -> !f.getFileName().toString().equals(TrainState.OPTIMIZER_FILE)).toList()) {
        Files.copy(f, bare.resolve(f.getFileName()));
      }
    }

    TrainResult second = run(config("split").build(), announced);
    assertEquals(2, second.resumedFromStep());
    assertEquals(6, second.steps());
    assertEquals(32, second.samplesTrained());
    assertEquals(48, second.checkpoints().get(0).meta().samplesSeen());
    assertEquals(List.of(2L, 2L, 6L), announced.stream().map(c -> c.meta().step()).toList(),
        "the resumed checkpoint is announced again");
    assertEquals(Map.of(0, 48L), TrainState.read(second.checkpoints().get(0).dir()).offsets());

    Map<String, float[]> a = weights(straight.checkpoints().get(0).dir());
    assertTrue(maxDiff(a, weights(second.checkpoints().get(0).dir())) < 1e-5, "resumed run drifted");
    TrainResult withoutMomentum = run(config("bare").build(), new ArrayList<>());
    assertTrue(maxDiff(a, weights(withoutMomentum.checkpoints().get(0).dir())) > 1e-4,
        "momentum must matter for the comparison above to mean anything");

    Map<String, Integer> trained = new HashMap<>();
    for (String line : Files.readAllLines(dir.resolve("split").resolve(KeyTrace.FILE))) {
      if (!line.startsWith("#")) {
        trained.merge(line.split("\t")[2], 1, Integer::sum);
      }
    }
    assertEquals(48, trained.size());
    trained.forEach((k, n) -> assertEquals(1, n, k));
  }

  private static double maxDiff(Map<String, float[]> a, Map<String, float[]> b) {
    assertEquals(a.keySet(), b.keySet());
    double diff = 0;
    for (String k : a.keySet()) {
      for (int i = 0; i < a.get(k).length; i++) {
        diff = Math.max(diff, Math.abs(a.get(k)[i] - b.get(k)[i]));
      }
    }
    return diff;
  }

  @Test
  void aCheckpointOfAnotherModelOrInputIsNotResumedAndFreshStartsOver() {
    run(config("mismatch").maxSteps(1).build(), new ArrayList<>());
    var e = assertThrows(IllegalStateException.class, () -> new TrainingLoop(
        TrainerConfig.builder("mobilenet_v2_035", 4, dir).imageSize(32).batchSize(8).runId("mismatch").build(),
        SampleSource.of(DATA, 5), c -> { }).run());
    assertTrue(e.getMessage().contains("trained with model mobilenet_v1_025, not mobilenet_v2_035"), e.getMessage());
    assertTrue(e.getMessage().contains("--fresh"), e.getMessage());

    TrainResult fresh = run(config("mismatch").maxSteps(2).fresh(true).build(), new ArrayList<>());
    assertEquals(0, fresh.resumedFromStep());
    assertEquals(List.of(2L), Checkpoints.list(dir.resolve("mismatch")).stream()
        .map(d -> Checkpoints.readMeta(d).step()).toList());
  }

  private static Map<String, float[]> weights(Path checkpoint) {
    Map<String, float[]> m = new HashMap<>();
    try (Checkpoints.Loaded l = Checkpoints.load(checkpoint)) {
      for (Pair<String, Parameter> p : l.model().getBlock().getParameters()) {
        m.put(p.getKey(), p.getValue().getArray().toFloatArray());
      }
    }
    return m;
  }
}
