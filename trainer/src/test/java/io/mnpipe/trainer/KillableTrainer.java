package io.mnpipe.trainer;

import io.mnpipe.kafka.KafkaSettings;
import java.nio.file.Path;

/**
 * The trainer as its own process, for {@link TrainerKillIT} to kill -9 and start again: bootstrap,
 * topic, checkpoint folder and run id in; a bounded, key-traced run of two epochs of 300 tiny
 * samples out, with a checkpoint every {@value #CHECKPOINT_EVERY} steps.
 */
public final class KillableTrainer {
  static final int BATCH = 16;
  static final int CHECKPOINT_EVERY = 4;

  private KillableTrainer() {}

  static TrainerConfig config(Path checkpointDir, String runId) {
    return TrainerConfig.builder("mobilenet_v1_025", 4, checkpointDir).runId(runId).imageSize(32).batchSize(BATCH)
        .epochs(2).samplesPerEpoch(300).lr(0.05).warmupSteps(3).checkpointEverySteps(CHECKPOINT_EVERY)
        .logEverySteps(5).prefetchBatches(2).traceKeys(true).build();
  }

  public static void main(String[] args) {
    TrainerConfig cfg = config(Path.of(args[2]), args[3]);
    TrainResult r = new TrainerService(cfg, new KafkaSettings(args[0]), args[1]).run(true);
    System.out.println("trained to step " + r.steps() + " (" + r.stopReason() + ")");
  }
}
