package io.mnpipe.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The train benchmark end to end on a real broker, at a size that says nothing about speed. */
@ExtendWith(KafkaBroker.class)
class TrainBenchmarkIT {

  @Test
  void bothPathsTrainEveryBatchAndTheRatioIsTheMedianOfThePairedRounds(KafkaSettings kafka) throws Exception {
    var r = new TrainBenchmark(kafka, new TrainBenchmark.Config("mobilenet_v1_025", 32, 4, 5, 1, 3, 2)).run();
    assertEquals(20, r.imagesPerRound());
    assertTrue(r.pipelineImagesPerSecond() > 0 && r.memoryImagesPerSecond() > 0, r.toString());
    assertEquals(3, r.roundRatios().length);
    for (double x : r.roundRatios()) {
      assertTrue(x > 0 && Double.isFinite(x), java.util.Arrays.toString(r.roundRatios()));
    }
    assertEquals(TrainBenchmark.median(r.roundRatios()), r.ratio(), 1e-12);
    assertTrue(r.dataWait() >= 0 && r.dataWait() < 1, r.toString());
    // The loader thread measured its own CPU time: decoding 20 records takes some, and less than the round.
    assertTrue(r.loaderCpu() > 0 && r.loaderCpu() < 1, r.toString());
    assertTrue(r.firstBatchMillis() > 0, r.toString());
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, TrainBenchmark.median(new double[] {3, 1, 2}));
    assertEquals(2.5, TrainBenchmark.median(new double[] {4, 1, 3, 2}));
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TrainBenchmark.Config("mobilenet_v2_100", 64, 1, 5, 1, 3, 2));
  }
}
