package io.mnpipe.trainer;

import io.mnpipe.models.runtime.RunMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training progress in, Prometheus series out (labels model, run) in the default registry. The
 * metric families are registered once per JVM, on first use, so several runs in one JVM (tests, the
 * local launcher) share them, each under its own labels. The checkpoint age is computed at scrape
 * time: seconds since the run's latest durable checkpoint (or since it started, before the first),
 * i.e. how much training a crash now would cost.
 */
public final class TrainerMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerMetrics.class);

  /** Holder idiom: families are registered when the first run starts, exactly once. */
  private static final class Families {
    static final Gauge LOSS = RunMetrics.gauge("mnpipe_train_loss", "Training loss of the latest step");
    static final Gauge LR = RunMetrics.gauge("mnpipe_train_learning_rate", "Learning rate of the latest step");
    static final Gauge STEP = RunMetrics.gauge("mnpipe_train_step", "Optimizer steps taken");
    static final Gauge IMAGES_PER_SECOND = RunMetrics.gauge("mnpipe_train_images_per_second",
        "Training throughput over the latest logging window");
    static final Gauge DATA_WAIT = RunMetrics.gauge("mnpipe_data_wait_ratio",
        "Share of wall time the training thread waited for batches (0..1) over the latest window");
    static final Gauge LAG = RunMetrics.gauge("mnpipe_train_consumer_lag_records",
        "Samples in the input topic not yet read by the trainer's consumer");
    static final Counter SAMPLES = RunMetrics.counter("mnpipe_train_samples_total", "Samples trained on");
    static final Counter SKIPPED = RunMetrics.counter("mnpipe_train_skipped_total",
        "Samples skipped: wrong shape, label out of range, or undecodable");
    static final Counter CHECKPOINTS = RunMetrics.counter("mnpipe_train_checkpoints_total", "Checkpoints written");
    static final GaugeWithCallback CHECKPOINT_AGE = checkpointAge();
  }

  /** Latest checkpoint time of each running run, by (model, run). */
  private static final Map<List<String>, Instant> LAST_CHECKPOINT = new ConcurrentHashMap<>();

  private final GaugeDataPoint loss;
  private final GaugeDataPoint lr;
  private final GaugeDataPoint step;
  private final GaugeDataPoint imagesPerSecond;
  private final GaugeDataPoint dataWait;
  private final GaugeDataPoint lag;
  private final CounterDataPoint samples;
  private final CounterDataPoint skipped;
  private final CounterDataPoint checkpoints;
  private final List<String> labels;
  private long skippedSoFar;

  public TrainerMetrics(String model, String run) {
    labels = List.of(model, run);
    LAST_CHECKPOINT.put(labels, Instant.now());
    loss = Families.LOSS.labelValues(model, run);
    lr = Families.LR.labelValues(model, run);
    step = Families.STEP.labelValues(model, run);
    imagesPerSecond = Families.IMAGES_PER_SECOND.labelValues(model, run);
    dataWait = Families.DATA_WAIT.labelValues(model, run);
    lag = Families.LAG.labelValues(model, run);
    samples = Families.SAMPLES.labelValues(model, run);
    skipped = Families.SKIPPED.labelValues(model, run);
    checkpoints = Families.CHECKPOINTS.labelValues(model, run);
  }

  /** After each step. */
  public void stepDone(long steps, float lossValue, float lrValue, int batchSize) {
    step.set(steps);
    loss.set(lossValue);
    lr.set(lrValue);
    samples.inc(batchSize);
  }

  /** After each logging window. */
  public void window(double imgPerSec, double waitRatio, long skippedTotal) {
    imagesPerSecond.set(imgPerSec);
    dataWait.set(waitRatio);
    if (skippedTotal > skippedSoFar) {
      skipped.inc(skippedTotal - skippedSoFar);
      skippedSoFar = skippedTotal;
    }
  }

  /** The input's consumer lag in records; negative (unknown) is not exported. */
  public void lag(long records) {
    if (records >= 0) {
      lag.set(records);
    }
  }

  public void checkpointWritten() {
    checkpoints.inc();
    LAST_CHECKPOINT.put(labels, Instant.now());
  }

  /** The run continues from a checkpoint written at {@code time}. */
  public void resumedFrom(Instant time) {
    LAST_CHECKPOINT.put(labels, time);
  }

  /** The run ended: its checkpoint age is no longer exported. */
  public void runEnded() {
    LAST_CHECKPOINT.remove(labels);
  }

  private static GaugeWithCallback checkpointAge() {
    var b = GaugeWithCallback.builder().name("mnpipe_train_checkpoint_age_seconds")
        .help("Seconds since the run's latest durable checkpoint (since its start before the first)")
        .labelNames("model", "run")
        .callback(cb -> LAST_CHECKPOINT.forEach((k, t) ->
            cb.call(Duration.between(t, Instant.now()).toMillis() / 1000.0, k.get(0), k.get(1))));
    try {
      return b.register();
    } catch (IllegalArgumentException e) {
      LOG.warn("metric mnpipe_train_checkpoint_age_seconds is already registered; this one will not be exported");
      return b.build();
    }
  }
}
