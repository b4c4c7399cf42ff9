package io.mnpipe.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.deploy.PipelineLauncher;
import io.mnpipe.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A preprocess job that cannot work ends {@code ./pipeline local} with a non-zero exit, within a
 * bounded time, with the cause in one line, after the restarts it was allowed (each said on the
 * console): never a silent restart loop. The poison is real: a broker whose
 * {@code transaction.max.timeout.ms} is below the timeout the job's transactional sinks ask for
 * (a cluster set up that way refuses every sink at start).
 */
class LocalPipelineFailureIT {

  @Test
  void aJobThatAlwaysFailsEndsTheRunWithItsCause(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), true,
        Map.of("transaction.max.timeout.ms", "60000"))) {
      var r = PipelineLauncher.run("-Xmx2g", Duration.ofMinutes(4), "local", "--bootstrap", broker.bootstrap(),
          "--synthetic-classes", "2", "--synthetic-train", "50", "--synthetic-val", "10", "--image-size", "32",
          "--restart-attempts", "2", "--metrics-port", "0", "--flink-metrics-port", "0",
          "--work-dir", dir.resolve("work").toString());
      String all = r.out() + r.err();
      assertEquals(1, r.code(), "exit code; output:\n" + PipelineLauncher.tail(all));
      List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
      assertEquals(1, errors.size(), "one error line:\n" + r.err());
      String error = errors.get(0);
      assertTrue(error.contains("preprocess job failed after 2 restart(s)"), error);
      assertTrue(error.contains("transaction.max.timeout.ms") || error.contains("InvalidTxnTimeout"),
          "the broker's refusal is the cause: " + error);
      assertFalse(r.err().contains("\tat "), "no stack trace on stderr:\n" + r.err());
      for (int n = 1; n <= 2; n++) {
        assertTrue(r.out().contains("preprocess job restarting (restart " + n + " of 2)"),
            "restart " + n + " said on the console:\n" + PipelineLauncher.tail(r.out()) + r.err());
      }
      // The trainer starts beside the job (stream, don't stage), but no sample is ever committed: no step.
      assertFalse(r.out().contains(" step ["), "no training step on a failed preprocess:\n" + PipelineLauncher.tail(r.out()));
    }
  }
}
