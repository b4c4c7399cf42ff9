package io.mnpipe.models.runtime;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A name and help text in, a Prometheus family labelled by model and run out, registered in the
 * default registry once; the trainer's and the evaluator's metrics are built with it.
 */
public final class RunMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(RunMetrics.class);

  private RunMetrics() {}

  /** A gauge labelled {model, run}; if the name is taken, an unexported one (and a warning). */
  public static Gauge gauge(String name, String help) {
    return gauge(name, help, new String[0]);
  }

  /** A gauge labelled {model, run, extra...}; if the name is taken, an unexported one (and a warning). */
  public static Gauge gauge(String name, String help, String... extraLabels) {
    String[] labels = new String[2 + extraLabels.length];
    labels[0] = "model";
    labels[1] = "run";
    System.arraycopy(extraLabels, 0, labels, 2, extraLabels.length);
    var b = Gauge.builder().name(name).help(help).labelNames(labels);
    try {
      return b.register();
    } catch (IllegalArgumentException e) {
      LOG.warn("metric {} is already registered by someone else; this one will not be exported", name);
      return b.build();
    }
  }

  /** A counter labelled {model, run}; if the name is taken, an unexported one (and a warning). */
  public static Counter counter(String name, String help) {
    var b = Counter.builder().name(name).help(help).labelNames("model", "run");
    try {
      return b.register();
    } catch (IllegalArgumentException e) {
      LOG.warn("metric {} is already registered by someone else; this one will not be exported", name);
      return b.build();
    }
  }
}
