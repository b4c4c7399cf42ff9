package io.mnpipe.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.source.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static RunSummary run(Path dir, int epochs) throws Exception {
    // 64x64 samples (~12 KB) so that an epoch spans several 1 MiB segments of each partition.
    var config = new LocalConfig("synthetic", new SyntheticDataset.Config(3, 152, 20, 2, 42), "mobilenet_v2_035",
        epochs, 64, 16, 0.01, 4e-5, 0, null, dir, 0, 2, 42, 0, 2, 64L << 20, 3, false, null, 0, 300);
    return new LocalPipeline(config).run();
  }

  @Test
  void eightEpochsHoldTheDiskOfTwoAndTrainEverySampleOncePerEpoch(@TempDir Path dir) throws Exception {
    RunSummary two = run(dir.resolve("two"), 2);
    RunSummary eight = run(dir.resolve("eight"), 8);
    for (RunSummary s : new RunSummary[] {two, eight}) {
      // 456 decoded a epoch (the two broken images are dead-lettered): 2 and 8 epochs fill whole batches
      // of 16, so no short last batch is dropped and every sample of every epoch is trained.
      long trainDecoded = 3 * 152;
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

  /** Per epoch, the distinct keys of trained-keys.log; fails on a key trained twice in one epoch. */
  private static Map<Integer, Long> trainedKeys(Path dir, RunSummary s) throws Exception {
    Path log = dir.resolve("checkpoints").resolve(s.runId()).resolve("trained-keys.log");
    Map<Integer, java.util.Set<String>> keys = new TreeMap<>();
    try (Stream<String> lines = Files.lines(log)) {
      lines.filter(l -> !l.startsWith("#") && !l.isEmpty()).forEach(l -> {
        String[] f = l.split("\t", 3);
        assertTrue(keys.computeIfAbsent(Integer.parseInt(f[1]), e -> new java.util.HashSet<>()).add(f[2]),
            "trained twice in epoch " + f[1] + ": " + f[2]);
      });
    }
    assertEquals(s.epochs(), keys.size(), "every epoch trained: " + keys.keySet());
    Map<Integer, Long> counts = new TreeMap<>();
    keys.forEach((e, k) -> counts.put(e, (long) k.size()));
    return counts;
  }
}
