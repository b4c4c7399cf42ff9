package io.mnpipe.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The checkpoint age counts from the newest durable checkpoint, a resumed one included, and goes when the run ends. */
class TrainerMetricsTest {
  @Test
  void checkpointAgeFollowsTheNewestCheckpoint() {
    TrainerMetrics m = new TrainerMetrics("mobilenet_v1_025", "age-run");
    m.resumedFrom(Instant.now().minusSeconds(120));
    assertTrue(age("age-run") >= 119, "age " + age("age-run"));
    m.checkpointWritten();
    assertTrue(age("age-run") < 5, "age " + age("age-run"));
    m.runEnded();
    assertEquals(Double.NaN, age("age-run"));
  }

  private static double age(String run) {
    for (MetricSnapshot s : PrometheusRegistry.defaultRegistry.scrape()) {
      if (s.getMetadata().getName().equals("mnpipe_train_checkpoint_age_seconds")) {
        for (GaugeSnapshot.GaugeDataPointSnapshot d : ((GaugeSnapshot) s).getDataPoints()) {
          if (run.equals(d.getLabels().get("run"))) {
            return d.getValue();
          }
        }
      }
    }
    return Double.NaN;
  }
}
