package io.mnpipe.trainer;

import io.mnpipe.trainer.checkpoint.Checkpoint;
import io.mnpipe.trainer.checkpoint.CheckpointMeta;
import io.mnpipe.trainer.checkpoint.Checkpoints;
import io.mnpipe.trainer.data.BatchAssembler;
import io.mnpipe.trainer.data.BatchLoader;
import io.mnpipe.trainer.data.SampleBatch;
import io.mnpipe.trainer.data.SampleSource;
import io.mnpipe.trainer.train.ModelTrainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples from any source in, checkpoints out: batches arrive from a loader thread, one SGD step
 * each; a checkpoint every {@code checkpointEverySteps} steps and one when the run ends (input
 * exhausted, maxSteps, maxMinutes or {@link #stop()}), each handed to {@code onCheckpoint} only
 * after it is durable on disk. Knows nothing of Kafka.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private final TrainerConfig config;
  private final SampleSource source;
  private final Consumer<Checkpoint> onCheckpoint;
  private final TrainerMetrics metrics;
  private final List<Checkpoint> checkpoints = new ArrayList<>();
  private volatile boolean stopRequested;
  private volatile BatchLoader loader;

  public TrainingLoop(TrainerConfig config, SampleSource source, Consumer<Checkpoint> onCheckpoint) {
    this.config = config;
    this.source = source;
    this.onCheckpoint = onCheckpoint;
    this.metrics = new TrainerMetrics(config.model(), config.runId());
  }

  /** Trains until the run ends; closes the source. Throws if training diverges or the input fails. */
  public TrainResult run() {
    BatchAssembler assembler = new BatchAssembler(config.batchSize(), config.imageSize(), config.numClasses(),
        config.epochs());
    long total = scheduleHorizon();
    loader = new BatchLoader(source, assembler, config.prefetchBatches(), 2, "mnpipe-loader-" + config.runId());
    try (BatchLoader l = loader.start(); ModelTrainer trainer = new ModelTrainer(config, total)) {
      if (stopRequested) {
        l.close(); // stop() came while the model was being built
      }
      Checkpoints.writeRunConfig(config.runDir(), config.asMap());
      LOG.info("run {}: training {} ({} classes, {}x{}) on {}, batch {}, {} steps planned", config.runId(),
          config.model(), config.numClasses(), config.imageSize(), config.imageSize(),
          trainer.model().getNDManager().getDevice(), config.batchSize(), total == 0 ? "?" : total);
      return train(trainer, l);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("training of run " + config.runId() + " interrupted", e);
    }
  }

  private TrainResult train(ModelTrainer trainer, BatchLoader l) throws InterruptedException {
    RunProgress p = new RunProgress(config, metrics, l);
    SampleBatch batch = l.next();
    p.start();
    String reason = batch == null ? endReason() : null;
    while (batch != null) {
      long t0 = System.nanoTime();
      float lr = trainer.lr();
      float loss = trainer.step(batch);
      p.stepDone(batch, loss, System.nanoTime() - t0);
      metrics.stepDone(trainer.steps(), loss, lr, batch.size());
      if (trainer.steps() % config.logEverySteps() == 0) {
        p.log(trainer, lr, skipped(l));
      }
      reason = limitReached(trainer.steps(), p.startNanos);
      SampleBatch next = reason == null ? l.next() : null;
      if (next == null && reason == null) {
        reason = endReason();
      }
      boolean last = next == null;
      if (last || (config.checkpointEverySteps() > 0 && trainer.steps() % config.checkpointEverySteps() == 0)) {
        checkpoint(trainer, p, last);
      }
      batch = next;
    }
    if (trainer.steps() == 0) {
      LOG.warn("run {}: no valid samples arrived ({} skipped); no checkpoint written", config.runId(), skipped(l));
    }
    return p.result(trainer, checkpoints, skipped(l), l.assembler().dropped(), reason);
  }

  private void checkpoint(ModelTrainer trainer, RunProgress p, boolean last) {
    CheckpointMeta meta = new CheckpointMeta(config.model(), config.numClasses(), config.imageSize(), config.runId(),
        trainer.steps(), p.epoch, p.lastLoss, p.samples, last, Instant.now());
    Checkpoint c = Checkpoints.write(config.runDir(), trainer.model(), meta);
    checkpoints.add(c);
    metrics.checkpointWritten();
    LOG.info("checkpoint {}{} written to {}", meta.id(), last ? " (final)" : "", c.dir());
    onCheckpoint.accept(c);
  }

  private long skipped(BatchLoader l) {
    return l.assembler().skipped() + l.source().undecodable();
  }

  private String endReason() {
    return stopRequested ? "stopped" : "end of input";
  }

  private String limitReached(long steps, long startNanos) {
    if (stopRequested) {
      return "stopped";
    }
    if (config.maxSteps() > 0 && steps >= config.maxSteps()) {
      return "maxSteps";
    }
    if (config.maxMinutes() > 0 && System.nanoTime() - startNanos >= config.maxMinutes() * 60e9) {
      return "maxMinutes";
    }
    return null;
  }

  /** Steps the LR schedule spans: epochs x samplesPerEpoch if given, else what a bounded source holds. */
  private long scheduleHorizon() {
    long samples = config.epochs() > 0 && config.samplesPerEpoch() > 0
        ? config.epochs() * config.samplesPerEpoch()
        : source.expectedRecords().orElse(0);
    long steps = (samples + config.batchSize() - 1) / config.batchSize();
    return config.maxSteps() > 0 ? (steps == 0 ? config.maxSteps() : Math.min(steps, config.maxSteps())) : steps;
  }

  /** Ends the run soon: the step in progress finishes, a final checkpoint is written, run() returns. */
  public void stop() {
    stopRequested = true;
    BatchLoader l = loader;
    if (l != null) {
      l.close();
    }
  }
}
