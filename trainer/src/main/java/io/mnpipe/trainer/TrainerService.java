package io.mnpipe.trainer;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.kafka.TrainerGroups;
import io.mnpipe.models.input.KafkaSampleSource;
import io.mnpipe.schemas.Topics;
import io.mnpipe.trainer.checkpoint.CheckpointPublisher;
import java.time.Duration;
import java.util.List;

/**
 * An AugmentedSample topic in, checkpoints on disk and CheckpointEvents on {@code mnpipe.checkpoints}
 * out: the Kafka ends around {@link TrainingLoop}. Bounded ({@code stopAtEnd}) it trains on what the
 * topic holds when it starts, then writes a final checkpoint and returns; unbounded it follows the
 * topic until maxSteps, maxMinutes, {@link #stop()} or, with {@code epochs} set, until every
 * partition is past the last epoch. Epochs are read in order across partitions. A service started
 * again with the same checkpoint folder and run id continues that run where its newest checkpoint
 * left it, reading from the offsets it saved (see {@link TrainingLoop}).
 *
 * <pre>{@code
 * TrainerConfig cfg = TrainerConfig.builder("mobilenet_v2_100", 10, Path.of("checkpoints"))
 *     .imageSize(224).batchSize(32).lr(0.05).build();
 * TrainResult r = new TrainerService(cfg, kafka, Topics.samples("cifar10", "v1", "train").name()).run(true);
 * }</pre>
 */
public final class TrainerService implements AutoCloseable {
  /** How long to wait for the samples topic to appear (preprocess may be starting alongside). */
  static final Duration TOPIC_WAIT = Duration.ofMinutes(2);

  private final TrainerConfig config;
  private final KafkaSettings kafka;
  private final String samplesTopic;
  private volatile TrainingLoop loop;
  private volatile KafkaSampleSource source;
  private volatile boolean stopped;
  private volatile boolean endAtCurrentEnd;

  public TrainerService(TrainerConfig config, KafkaSettings kafka, String samplesTopic) {
    this.config = config;
    this.kafka = kafka;
    this.samplesTopic = samplesTopic;
  }

  /** Trains; blocks until the run ends and returns what it did. One run per service. */
  public TrainResult run(boolean stopAtEnd) {
    if (loop != null) {
      throw new IllegalStateException("TrainerService.run() was already called; create a new service per run");
    }
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      // One partition: the checkpoint events of a run stay in step order for the evaluator.
      admin.ensure(List.of(TopicAdmin.spec(Topics.CHECKPOINTS, 1)), Duration.ofSeconds(60));
    }
    String clientId = "mnpipe-trainer-" + config.runId();
    try (CheckpointPublisher publisher = new CheckpointPublisher(kafka, clientId)) {
      KafkaSampleSource s = new KafkaSampleSource(kafka, samplesTopic, clientId, stopAtEnd, TOPIC_WAIT,
          config.epochs(), true);
      source = s;
      if (endAtCurrentEnd) {
        s.endAtCurrentEnd();
      }
      int partitions = s.partitions();
      GroupProgress progress = new GroupProgress(kafka, TrainerGroups.of(config.runId()), samplesTopic, partitions);
      TrainingLoop l = new TrainingLoop(config, s, publisher).progress(progress);
      progress.waitingFrom(l::starvedEpoch);
      loop = l;
      if (stopped) {
        l.stop();
      }
      try {
        return l.run();
      } finally {
        progress.close();
      }
    }
  }

  /**
   * Of a run following its topic: the producer is done, so train on to the topic's end as it is
   * now, then write a final checkpoint and return. Any thread, before or during {@link #run}.
   */
  public void endAtCurrentEnd() {
    endAtCurrentEnd = true;
    KafkaSampleSource s = source;
    if (s != null) {
      s.endAtCurrentEnd();
    }
  }

  /** {@link System#nanoTime()} when the run's first step ended, or 0 before it. */
  public long firstStepNanos() {
    TrainingLoop l = loop;
    return l == null ? 0 : l.firstStepNanos();
  }

  /** Asks a running {@link #run} to finish: it writes a final checkpoint and returns. Any thread. */
  public void stop() {
    stopped = true;
    TrainingLoop l = loop;
    if (l != null) {
      l.stop();
    }
  }

  public TrainerConfig config() {
    return config;
  }

  @Override
  public void close() {
    stop();
  }
}
