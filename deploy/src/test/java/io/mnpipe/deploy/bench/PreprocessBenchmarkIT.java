package io.mnpipe.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnpipe.deploy.PipelineLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of {@code ./pipeline bench preprocess} as users run it, on a handful of photos: the real
 * job on a MiniCluster with checkpoints, over two epochs. It asserts the figures are there and that
 * the run cleans up after itself; what the figures are is the bench command's business.
 */
class PreprocessBenchmarkIT {
  @Test
  void twoEpochsGiveASteadyAndAFirstEpochRateAndLeaveNothingBehind(@TempDir Path tmp) throws Exception {
    PipelineLauncher.Run run = PipelineLauncher.run("-Xmx3g -Djava.io.tmpdir=" + tmp, Duration.ofMinutes(4),
        "bench", "preprocess", "--json", "--generate", "40", "--epochs", "2", "--decode-seconds", "1");
    assertEquals(0, run.code(), PipelineLauncher.tail(run.err()) + PipelineLauncher.tail(run.out()));
    String out = run.out();
    // stdout is the JSON alone (nothing before or after it): the log went to stderr
    JsonNode r = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(out);
    assertTrue(run.err().contains("bare decode + augment before the job"), "the log is on stderr: " + run.err());
    assertEquals("preprocess", r.path("benchmark").asText());
    assertEquals(40, r.path("images").asLong(), out);
    assertEquals(2, r.path("epochs").asInt(), out);
    for (String f : new String[] {"images_per_s", "first_epoch_images_per_s", "decode_only_images_per_s", "ratio"}) {
      assertTrue(r.path(f).asDouble() > 0, f + ": " + r);
    }
    assertEquals(0, r.path("restarts").asLong(), r.toString());
    assertEquals(0, r.path("checkpoints_failed").asLong(), r.toString());
    // The probe's end offsets: two epochs of samples, plus a few transaction markers.
    long written = r.path("samples_topic_end_offsets").asLong();
    assertTrue(written >= 80 && written < 120, "two epochs of 40 samples (not three), and transaction markers: " + r);
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(0, left.filter(p -> p.getFileName().toString().startsWith("mnpipe-bench-preprocess-")).count(),
          "the generated photos and the job's checkpoints are deleted");
    }
    assertTrue(!run.out().contains("no longer assigned") && !run.err().contains("no longer assigned"),
        "the probe's end-offset reads log nothing");
  }
}
