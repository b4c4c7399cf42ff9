package io.mnpipe.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Defaults follow the recipes; nonsense is refused with a message naming the setting. */
class TrainerConfigTest {
  private static final Path DIR = Path.of("target/ckpt");

  @Test
  void defaults() {
    TrainerConfig c = TrainerConfig.builder("mobilenet_v2_100", 10, DIR).runId("r1").build();
    assertEquals(32, c.batchSize());
    assertEquals(0.9, c.momentum());
    assertEquals(4e-5, c.weightDecay());
    assertEquals(0.1, c.labelSmoothing());
    assertEquals(224, c.imageSize());
    assertEquals(DIR.resolve("r1"), c.runDir());
    assertEquals("mobilenet_v2_100", c.asMap().get("model"));
  }

  @Test
  void runIdDefaultsToModelAndTime() {
    assertTrue(TrainerConfig.builder("mobilenet_v1_025", 10, DIR).build().runId().startsWith("mobilenet_v1_025-"));
  }

  @Test
  void defaultRunIdNamesModelAndTopicSoARestartFindsItsRun() {
    assertEquals("mobilenet_v2_100-mnpipe.samples.imagenet.v1.train",
        TrainerConfig.defaultRunId("mobilenet_v2_100", "mnpipe.samples.imagenet.v1.train"));
    String longId = TrainerConfig.defaultRunId("mobilenet_v2_100", "t/".repeat(80));
    assertTrue(longId.length() <= 100 && longId.matches("[A-Za-z0-9._-]+"), longId);
    assertEquals(longId, TrainerConfig.builder("mobilenet_v2_100", 10, DIR).runId(longId).build().runId());
  }

  @Test
  void warmupEpochsBecomeSteps() {
    TrainerConfig c = TrainerConfig.builder("mobilenet_v1_025", 10, DIR).batchSize(10).samplesPerEpoch(1000)
        .warmupEpochs(2).build();
    assertEquals(200, c.effectiveWarmupSteps());
  }

  @Test
  void rejectsNonsenseWithClearMessages() {
    assertMessage("epochs must be >= 0", b -> b.epochs(-1));
    assertMessage("lr must be a positive number", b -> b.lr(0));
    assertMessage("batchSize must be at least 2", b -> b.batchSize(1));
    assertMessage("momentum must be in [0, 1)", b -> b.momentum(1.0));
    assertMessage("labelSmoothing must be in [0, 1)", b -> b.labelSmoothing(-0.1));
    assertMessage("imageSize must be at least 32", b -> b.imageSize(16));
    assertMessage("runId must be", b -> b.runId("a/b"));
    assertMessage("warmupEpochs needs samplesPerEpoch", b -> b.warmupEpochs(1));
    assertMessage("maxSteps must be >= 0", b -> b.maxSteps(-5));
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainerConfig.builder("resnet50", 10, DIR).build());
    assertTrue(e.getMessage().contains("unknown model 'resnet50'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainerConfig.builder("mobilenet_v1_025", 1, DIR).build());
    assertTrue(e.getMessage().contains("numClasses"), e.getMessage());
  }

  private static void assertMessage(String expected, java.util.function.UnaryOperator<TrainerConfig.Builder> change) {
    var e = assertThrows(IllegalArgumentException.class,
        () -> change.apply(TrainerConfig.builder("mobilenet_v1_025", 10, DIR)).build());
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
