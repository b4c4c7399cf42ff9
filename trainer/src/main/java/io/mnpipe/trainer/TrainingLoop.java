package io.mnpipe.trainer;

import ai.djl.Device;
import io.mnpipe.models.checkpoint.Checkpoint;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.BatchLoader;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.input.SampleSource;
import io.mnpipe.trainer.checkpoint.ResumePoint;
import io.mnpipe.trainer.checkpoint.RunLock;
import io.mnpipe.trainer.checkpoint.TrainState;
import io.mnpipe.trainer.train.ModelTrainer;
import io.mnpipe.trainer.train.WarmupCosine;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples from any source in, checkpoints out: batches arrive from a loader thread, one SGD step
 * each; a checkpoint every {@code checkpointEverySteps} steps, one at each epoch end (before the
 * first batch of a later epoch is trained) and one when the run ends (input exhausted, maxSteps,
 * maxMinutes or {@link #stop()}), each handed to {@code onCheckpoint} only after it is durable on
 * disk. A checkpoint holds what the run needs to go on exactly: weights, momentum, step, epoch, LR
 * schedule and the source offsets after its last trained batch. Started again on the same run
 * folder, the loop continues from the newest checkpoint. Knows nothing of Kafka.
 */
public final class TrainingLoop {
  private volatile long firstStepNanos;
  private Progress progress = Progress.NONE;

  /**
   * Where training stands on its input, for flow control and retention: after each step the
   * partition offsets the next batch starts at, after each durable checkpoint the ones it resumes from.
   */
  public interface Progress {
    Progress NONE = new Progress() {
      @Override
      public void trained(Map<Integer, Long> next) {}

      @Override
      public void checkpointed(Map<Integer, Long> next) {}
    };

    void trained(Map<Integer, Long> next);

    void checkpointed(Map<Integer, Long> next);
  }

  /** Reports progress to {@code p} (on the training thread; keep it quick). Call before {@link #run}. */
  public TrainingLoop progress(Progress p) {
    this.progress = p;
    return this;
  }

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
  /** {@link System#nanoTime()} when the first step of this run ended, or 0 before it. */
  public long firstStepNanos() {
    return firstStepNanos;
  }

  public TrainResult run() {
    try (RunLock lock = RunLock.acquire(config.runDir())) {
      if (config.fresh()) {
        Path aside = Checkpoints.moveAside(config.runDir());
        if (aside != null) {
          LOG.info("run {}: starting over (--fresh); earlier checkpoints moved to {}", config.runId(), aside);
        }
      }
      ResumePoint from = ResumePoint.latest(config.runDir()).orElse(null);
      if (from != null) {
        from.checkMatches(config.model(), config.numClasses(), source.name());
      }
      return run(from);
    } catch (RuntimeException e) {
      if (loader == null) {
        source.close(); // the loader closes it once started
      }
      throw e;
    } finally {
      metrics.runEnded();
    }
  }

  private TrainResult run(ResumePoint from) {
    BatchAssembler assembler = new BatchAssembler(config.batchSize(), config.imageSize(), config.numClasses(),
        config.epochs(), true);
    long horizon = from == null ? scheduleHorizon(source.expectedRecords().orElse(0))
        : scheduleHorizon(-1) > 0 ? scheduleHorizon(-1) : from.state().scheduleSteps();
    WarmupCosine schedule = new WarmupCosine((float) config.lr(), config.effectiveWarmupSteps(), horizon);
    if (from != null) {
      resume(from, assembler, schedule);
    }
    Checkpoints.writeRunConfig(config.runDir(), runConfig());
    long step = from == null ? 0 : from.meta().step();
    loader = new BatchLoader(source, assembler, config.prefetchBatches(),
        BatchAssembler.minTrainingBatch(config.batchSize()), "mnpipe-loader-" + config.runId());
    try (BatchLoader l = loader.start();
        ModelTrainer trainer = new ModelTrainer(config, schedule, from == null ? null : from.dir(), step);
        KeyTrace trace = KeyTrace.open(config, step)) {
      if (stopRequested) {
        l.close(); // stop() came while the model was being built
      }
      LOG.info("run {}: training {} ({} classes, {}x{}) on {}, batch {}, {} steps planned", config.runId(),
          config.model(), config.numClasses(), config.imageSize(), config.imageSize(),
          devices(trainer), config.batchSize(), schedule.totalSteps() == 0 ? "?"
              : schedule.totalSteps());
      return train(trainer, l, trace, from);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("training of run " + config.runId() + " interrupted", e);
    }
  }

  /** Positions source and assembler at the checkpoint, and says how the run goes on. */
  private void resume(ResumePoint from, BatchAssembler assembler, WarmupCosine schedule) {
    TrainState st = from.state();
    source.seek(st.offsets(), from.meta().epoch());
    assembler.resumeAt(st.offsets(), from.meta().epoch());
    metrics.resumedFrom(from.meta().time());
    LOG.info("run {}: resuming from {} (step {}, epoch {}, {} samples) at offsets {} of {}", config.runId(),
        from.dir().getFileName(), from.meta().step(), from.meta().epoch(), from.meta().samplesSeen(),
        TrainState.describe(st.offsets()), st.source());
    if (schedule.peak() != (float) st.peakLr() || schedule.warmupSteps() != st.warmupSteps()
        || schedule.totalSteps() != st.scheduleSteps()) {
      LOG.warn("run {}: the LR schedule changed with the settings given now (peak {} -> {}, warmup {} -> {},"
          + " horizon {} -> {} steps); it applies from step {} on", config.runId(), st.peakLr(), schedule.peak(),
          st.warmupSteps(), schedule.warmupSteps(), st.scheduleSteps(), schedule.totalSteps(), from.meta().step());
    }
    // Announced again: a kill may have fallen between the checkpoint's rename and its event.
    onCheckpoint.accept(from.checkpoint());
  }

  private TrainResult train(ModelTrainer trainer, BatchLoader l, KeyTrace trace, ResumePoint from)
      throws InterruptedException {
    RunProgress p = new RunProgress(config, metrics, l, from == null ? null : from.meta());
    SampleBatch batch = l.next();
    p.start();
    String reason = limitReached(trainer.steps(), p.startNanos);
    if (reason != null) {
      batch = null; // a resumed run already at its limit
    } else if (batch == null) {
      reason = endReason();
    }
    while (batch != null) {
      long t0 = System.nanoTime();
      float lr = trainer.lr();
      float loss = trainer.step(batch);
      if (trace != null) {
        trace.trained(trainer.steps(), batch); // before any checkpoint that covers it
      }
      long done = System.nanoTime();
      if (firstStepNanos == 0) {
        firstStepNanos = done;
      }
      p.stepDone(batch, loss, done - t0);
      progress.trained(batch.nextOffsets());
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
      boolean epochEnd = next != null && next.opensEpoch();
      if (last || epochEnd
          || (config.checkpointEverySteps() > 0 && trainer.steps() % config.checkpointEverySteps() == 0)) {
        checkpoint(trainer, p, batch.nextOffsets(), last, epochEnd);
      }
      batch = next;
    }
    if (p.samples == 0 && from != null) {
      LOG.info("run {}: nothing new to train after step {} ({})", config.runId(), trainer.steps(), reason);
    } else if (p.samples == 0) {
      LOG.warn("run {}: no valid samples arrived ({} skipped); no checkpoint written", config.runId(), skipped(l));
    }
    return p.result(trainer, checkpoints, skipped(l), l.assembler().dropped(), reason);
  }

  private void checkpoint(ModelTrainer trainer, RunProgress p, SortedMap<Integer, Long> offsets, boolean last,
      boolean epochEnd) {
    CheckpointMeta meta = new CheckpointMeta(config.model(), config.numClasses(), config.imageSize(), config.runId(),
        trainer.steps(), p.epoch, p.lastLoss, p.samplesSeen(), last, Instant.now(), config.qat(), trainer.bnFrozen());
    WarmupCosine s = trainer.schedule();
    TrainState state = new TrainState(source.name(), offsets, s.peak(), s.warmupSteps(), s.totalSteps());
    Map<String, Checkpoints.Payload> extras = new LinkedHashMap<>();
    extras.put(TrainState.FILE, state::writeTo);
    extras.put(TrainState.OPTIMIZER_FILE, trainer::saveOptimizer);
    extras.put(Checkpoints.CONFIG_FILE, out -> {
      Properties props = new Properties();
      props.putAll(runConfig());
      props.store(out, "mnpipe trainer effective configuration");
    });
    Checkpoint c = Checkpoints.write(config.runDir(), trainer.model(), meta, extras);
    checkpoints.add(c);
    metrics.checkpointWritten();
    LOG.info("checkpoint {}{} written to {}; the next batch starts at {}", meta.id(),
        last ? " (final)" : epochEnd ? " (end of epoch " + p.epoch + ")" : "", c.dir(), TrainState.describe(offsets));
    onCheckpoint.accept(c);
    progress.checkpointed(offsets);
  }

  /** The effective config plus what the loop alone knows: the input it reads. */
  private Map<String, String> runConfig() {
    Map<String, String> m = config.asMap();
    m.put("inputTopic", source.name());
    return m;
  }

  private static String devices(ModelTrainer trainer) {
    Device[] d = trainer.devices();
    return d.length == 1 ? d[0].toString() : d.length + " devices data-parallel " + Arrays.toString(d);
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

  /**
   * Steps the LR schedule spans, from the settings: epochs x samplesPerEpoch if both are given, else
   * maxSteps, else what a bounded input holds ({@code inputRecords}; a resumed run passes -1 and
   * keeps the horizon its checkpoint saved, as the input left to read is no longer the whole).
   * Recomputed the same way on every attempt, the same flags give the same schedule.
   */
  private long scheduleHorizon(long inputRecords) {
    if (config.epochs() > 0 && config.samplesPerEpoch() > 0) {
      return (config.epochs() * config.samplesPerEpoch() + config.batchSize() - 1) / config.batchSize();
    }
    if (config.maxSteps() > 0) {
      return config.maxSteps();
    }
    return inputRecords < 0 ? -1 : (inputRecords + config.batchSize() - 1) / config.batchSize();
  }

  /**
   * The epoch this run waits for while it has had nothing to train for {@link #STARVED_NANOS}
   * (its loader is empty); 0 while it trains, or for a source without epochs. Any thread.
   */
  public int starvedEpoch() {
    BatchLoader l = loader;
    return l != null && l.starvedNanos() >= STARVED_NANOS ? source.epoch() : 0;
  }

  /** A wait for the next batch shorter than this is the loader's rhythm, not a trainer out of samples. */
  static final long STARVED_NANOS = 500_000_000L;

  /** Ends the run soon: the step in progress finishes, a final checkpoint is written, run() returns. */
  public void stop() {
    stopRequested = true;
    BatchLoader l = loader;
    if (l != null) {
      l.close();
    }
  }
}
