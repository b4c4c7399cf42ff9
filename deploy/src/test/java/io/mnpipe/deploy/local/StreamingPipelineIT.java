package io.mnpipe.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.source.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream, don't stage: the preprocess job, the trainer and the evaluator run together; the job
 * stays at most --max-lead records ahead of the trainer and the trained records are deleted, so an
 * 8-epoch run holds about the broker disk of a 2-epoch one, and still trains every sample of every
 * epoch exactly once (the run's audit reads the trained keys; here they are counted again).
 */
class StreamingPipelineIT {
  private static final int PER_CLASS = 296;

  private static RunSummary run(Path dir, int epochs) throws Exception {
    // 64x64 samples (~12 KB), 888 an epoch: an epoch spans ~3 of the 1 MiB segments of each of the 4
    // partitions, so that two epochs outweigh what a run must keep at any moment (the lead, the
    // shuffle buffers, the records since the slowest checkpoint, the segment the trainer is in).
    // The shuffle buffer at its 1 MiB floor: the records in flight are bounded by it, not by the epoch.
    var config = new LocalConfig("synthetic", new SyntheticDataset.Config(3, PER_CLASS, 20, 2, 42),
        "mobilenet_v2_035", epochs, 64, 16, 0.01, 4e-5, 0, null, dir, 0, 2, 42, 0, 4, 1L << 20, 3, false, null, 0,
        300);
    return new LocalPipeline(config).run();
  }

  @Test
  void eightEpochsHoldTheDiskOfTwoAndTrainEverySampleOncePerEpoch(@TempDir Path dir) throws Exception {
    RunSummary two = run(dir.resolve("two"), 2);
    RunSummary eight = run(dir.resolve("eight"), 8);
    for (RunSummary s : new RunSummary[] {two, eight}) {
      // 888 decoded an epoch (the two broken images are dead-lettered): 2 and 8 epochs fill whole batches
      // of 16, so no short last batch is dropped and every sample of every epoch is trained.
      long trainDecoded = 3 * PER_CLASS;
      assertEquals(s.epochs() * trainDecoded, s.trainedSamples());
      Map<Integer, Long> perEpoch = trainedKeys(dir.resolve(s.epochs() == 2 ? "two" : "eight"), s);
      for (long n : perEpoch.values()) {
        assertEquals(trainDecoded, n, "distinct trained keys per epoch: " + perEpoch);
      }
      assertTrue(s.brokerDiskPeakBytes() > 0);
    }
    assertTrue(eight.brokerDiskPeakBytes() <= 1.5 * two.brokerDiskPeakBytes(), "broker disk: 8 epochs "
        + eight.brokerDiskPeakBytes() + " bytes vs 2 epochs " + two.brokerDiskPeakBytes());
    assertTrue(eight.firstStepSeconds() > 0 && eight.firstStepSeconds() < eight.preprocessEndSeconds() / 2,
        "first step at " + eight.firstStepSeconds() + " s, preprocess done at " + eight.preprocessEndSeconds() + " s");
  }

  @Test
  void twoModelsTrainFromOneStreamEachOnEverySampleOncePerEpoch(@TempDir Path dir) throws Exception {
    var config = new LocalConfig("synthetic", new SyntheticDataset.Config(3, 152, 20, 2, 7),
        "mobilenet_v2_035,mobilenet_v3_small_075", 2, 32, 16, 0.01, 4e-5, 0, null, dir, 0, 2, 7, 0, 1, 1L << 20, 3,
        false, null, 0, 300);
    RunSummary s = new LocalPipeline(config).run();
    assertEquals(2, s.models().size());
    assertEquals(List.of("mobilenet_v2_035", "mobilenet_v3_small_075"),
        s.models().stream().map(RunSummary.ModelRun::model).toList());
    assertEquals(2, s.models().stream().map(RunSummary.ModelRun::runId).distinct().count(), "a run id each");
    for (RunSummary.ModelRun m : s.models()) {
      assertEquals(2 * 3 * 152, m.trainedSamples(), m.model());
      Map<Integer, Long> perEpoch = trainedKeys(dir, m.runId(), 2);
      assertEquals(Map.of(1, 3L * 152, 2, 3L * 152), perEpoch, m.model() + ": distinct trained keys per epoch");
      assertTrue(m.checkpoints() >= 2, m.model() + " checkpointed each epoch");
      assertTrue(Files.isDirectory(dir.resolve("checkpoints").resolve(m.runId())), m.model() + "'s own checkpoints");
      assertTrue(m.evaluations().size() >= 1 && m.evaluations().stream()
          .allMatch(e -> e.checkpoint().startsWith(m.runId() + "/")), m.model() + " scored on its own checkpoints: "
          + m.evaluations());
    }
  }

  /** Per epoch, the distinct keys of trained-keys.log; fails on a key trained twice in one epoch. */
  private static Map<Integer, Long> trainedKeys(Path dir, RunSummary s) throws Exception {
    return trainedKeys(dir, s.runId(), s.epochs());
  }

  private static Map<Integer, Long> trainedKeys(Path dir, String runId, int epochs) throws Exception {
    Path log = dir.resolve("checkpoints").resolve(runId).resolve("trained-keys.log");
    Map<Integer, java.util.Set<String>> keys = new TreeMap<>();
    try (Stream<String> lines = Files.lines(log)) {
      lines.filter(l -> !l.startsWith("#") && !l.isEmpty()).forEach(l -> {
        String[] f = l.split("\t", 3);
        assertTrue(keys.computeIfAbsent(Integer.parseInt(f[1]), e -> new java.util.HashSet<>()).add(f[2]),
            "trained twice in epoch " + f[1] + ": " + f[2]);
      });
    }
    assertEquals(epochs, keys.size(), "every epoch trained: " + keys.keySet());
    Map<Integer, Long> counts = new TreeMap<>();
    keys.forEach((e, k) -> counts.put(e, (long) k.size()));
    return counts;
  }
}
