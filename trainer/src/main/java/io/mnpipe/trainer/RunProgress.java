package io.mnpipe.trainer;

import io.mnpipe.models.checkpoint.Checkpoint;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.input.BatchLoader;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.trainer.train.ModelTrainer;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished steps in, progress lines ({@code epoch [e/E] step [s/S] loss .. lr .. step_ms .. img/s ..
 * data_wait ..%}), Prometheus updates and the final {@link TrainResult} out.
 */
final class RunProgress {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private final TrainerConfig config;
  private final TrainerMetrics metrics;
  private final BatchLoader loader;
  private final long samplesBefore;
  private final long resumedFromStep;
  long startNanos;
  long samples;
  int epoch;
  float lastLoss = Float.NaN;
  private long stepNanos;
  private long windowStart;
  private long windowSamples;
  private long windowWait;
  private long waitAtStart;
  private int windowSteps;

  /** @param resumed the checkpoint this attempt continues from, or null */
  RunProgress(TrainerConfig config, TrainerMetrics metrics, BatchLoader loader, CheckpointMeta resumed) {
    this.config = config;
    this.metrics = metrics;
    this.loader = loader;
    this.samplesBefore = resumed == null ? 0 : resumed.samplesSeen();
    this.resumedFromStep = resumed == null ? 0 : resumed.step();
    this.epoch = resumed == null ? 0 : resumed.epoch();
  }

  /** Samples trained by the run so far, before a resume included. */
  long samplesSeen() {
    return samplesBefore + samples;
  }

  void start() {
    startNanos = System.nanoTime();
    windowStart = startNanos;
    windowWait = loader.waitNanos();
    waitAtStart = windowWait;
  }

  void stepDone(SampleBatch b, float loss, long nanos) {
    samples += b.size();
    windowSamples += b.size();
    windowSteps++;
    stepNanos += nanos;
    epoch = Math.max(epoch, b.epoch());
    lastLoss = loss;
  }

  void log(ModelTrainer trainer, float lr, long skipped) {
    long now = System.nanoTime();
    double secs = (now - windowStart) / 1e9;
    double ips = windowSamples / secs;
    double wait = Math.min(1.0, (loader.waitNanos() - windowWait) / 1e9 / secs);
    LOG.info(String.format(Locale.ROOT,
        "epoch [%d/%s] step [%d/%s] loss %.4f lr %.5f step_ms %.1f img/s %.1f data_wait %.0f%%",
        epoch, config.epochs() == 0 ? "?" : config.epochs(), trainer.steps(),
        trainer.totalSteps() == 0 ? "?" : trainer.totalSteps(), lastLoss, lr, stepNanos / 1e6 / windowSteps,
        ips, wait * 100));
    metrics.window(ips, wait, skipped);
    metrics.lag(loader.source().lag());
    windowStart = now;
    windowWait = loader.waitNanos();
    windowSamples = 0;
    windowSteps = 0;
    stepNanos = 0;
  }

  TrainResult result(ModelTrainer trainer, List<Checkpoint> cps, long skipped, long dropped, String reason) {
    double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    double wait = Math.min(1.0, (loader.waitNanos() - waitAtStart) / 1e9 / secs);
    metrics.window(samples / secs, wait, skipped);
    LOG.info(String.format(Locale.ROOT, "run %s ended (%s): %d steps, %d samples, %d skipped, %.1f img/s, "
        + "data_wait %.0f%%, %d checkpoints", config.runId(), reason, trainer.steps(), samples, skipped,
        samples / secs, wait * 100, cps.size()));
    return new TrainResult(config.runId(), config.model(), samples, trainer.steps(), cps, lastLoss, skipped,
        dropped, samples / secs, wait, secs, reason, resumedFromStep);
  }
}
