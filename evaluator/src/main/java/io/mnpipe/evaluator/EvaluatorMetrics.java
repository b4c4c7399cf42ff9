package io.mnpipe.evaluator;

import io.mnpipe.models.runtime.RunMetrics;
import io.mnpipe.schemas.avro.EvaluationResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/**
 * Evaluation results in, Prometheus gauges out ({@code mnpipe_eval_top1{model,run,precision}} ...), in the
 * default registry, registered once per JVM on first use so several evaluators can share them.
 */
final class EvaluatorMetrics {
  private EvaluatorMetrics() {}

  /** Holder idiom: registration happens once, when the first result is recorded. */
  private static final class Families {
    static final Gauge TOP1 = RunMetrics.gauge("mnpipe_eval_top1",
        "Top-1 accuracy (0..1) of the latest scored checkpoint; precision int8 for a QAT checkpoint in simulated"
            + " int8, float32 otherwise (of a QAT checkpoint: the same weights in float)", "precision");
    static final Gauge TOP5 = RunMetrics.gauge("mnpipe_eval_top5",
        "Top-5 accuracy (0..1) of the latest scored checkpoint, by precision as top1", "precision");
    static final Gauge LOSS = RunMetrics.gauge("mnpipe_eval_loss",
        "Mean validation cross-entropy of the latest checkpoint, by precision as top1", "precision");
    static final Gauge STEP = RunMetrics.gauge("mnpipe_eval_step", "Training step of the latest scored checkpoint");
    static final Counter SCORED = RunMetrics.counter("mnpipe_eval_checkpoints_total", "Checkpoints scored");
    static final Counter SKIPPED = RunMetrics.counter("mnpipe_eval_checkpoints_skipped_total",
        "Checkpoints not scored because a newer one of the same run was waiting");
  }

  static void skipped(String model, String run) {
    Families.SKIPPED.labelValues(model, run).inc();
  }

  static void record(EvaluationResult r) {
    String model = r.getModel();
    String run = r.getRunId();
    String precision = r.getPrecision().toString();
    Families.TOP1.labelValues(model, run, precision).set(r.getTop1());
    Families.TOP5.labelValues(model, run, precision).set(r.getTop5());
    Families.LOSS.labelValues(model, run, precision).set(r.getLoss());
    if (r.getFloatTop1() != null) {
      Families.TOP1.labelValues(model, run, "float32").set(r.getFloatTop1());
      Families.TOP5.labelValues(model, run, "float32").set(r.getFloatTop5());
    }
    Families.STEP.labelValues(model, run).set(r.getStep());
    Families.SCORED.labelValues(model, run).inc();
  }
}
