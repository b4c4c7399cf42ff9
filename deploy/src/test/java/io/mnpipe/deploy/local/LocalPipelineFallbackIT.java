package io.mnpipe.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnpipe.deploy.PipelineLauncher;
import io.mnpipe.preprocess.image.ImageDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pipeline local} on a machine without libjpeg-turbo (switched off with
 * {@code -Dmnpipe.turbojpeg.library=/nonexistent}) runs to the end through the ImageIO fallback,
 * says so once, and accounts for every image exactly as the libjpeg-turbo run does.
 */
class LocalPipelineFallbackIT {
  private static final List<String> COUNTS = List.of("ingested", "ingest_rejected", "decoded", "dead_lettered",
      "augmented_samples", "trained_samples", "train_steps", "checkpoints");

  private record LocalRun(JsonNode summary, boolean saysImageIo, String console) {
    /** The console's lines about checkpoints and restarts: what a failed-checkpoint assertion shows. */
    String checkpointLines() {
      return console.lines().filter(l -> l.contains("checkpoint") || l.contains("restart"))
          .collect(java.util.stream.Collectors.joining("\n"));
    }
  }

  private static LocalRun local(Path dir, String javaOpts) throws Exception {
    Path json = dir.resolve("summary.json");
    var r = PipelineLauncher.run(javaOpts, Duration.ofMinutes(6), "local", "--epochs", "2",
        "--synthetic-classes", "3", "--synthetic-train", "150", "--synthetic-val", "20", "--image-size", "32",
        "--batch-size", "16", "--lr", "0.01", "--checkpoints-per-epoch", "1", "--metrics-port", "0",
        "--flink-metrics-port", "0", "--work-dir", dir.resolve("work").toString(), "--json-summary", json.toString());
    assertEquals(0, r.code(), "exit code; output:\n" + PipelineLauncher.tail(r.out()) + PipelineLauncher.tail(r.err()));
    return new LocalRun(new ObjectMapper().readTree(json.toFile()), r.out().contains("decoded with ImageIO"),
        r.out() + r.err());
  }

  @Test
  void withoutLibjpegTurboTheRunEndsWithTheSameCounts(@TempDir Path dir) throws Exception {
    LocalRun imageIo = local(dir.resolve("imageio"), "-Xmx3g -Dmnpipe.turbojpeg.library=/nonexistent");
    assertTrue(imageIo.saysImageIo(), "the fallback said which decoder it uses");
    JsonNode fallback = imageIo.summary();
    assertEquals(3 * 150 + 2 + 3 * 20, fallback.get("ingested").asLong());
    assertEquals(fallback.get("ingested").asLong(),
        fallback.get("decoded").asLong() + fallback.get("dead_lettered").asLong(), "ingested == decoded + dead_lettered");
    assertEquals(2, fallback.get("dead_lettered").asLong());
    assertEquals(0, fallback.get("flink_checkpoints_failed").asLong(), imageIo.checkpointLines());
    assertEquals(0, fallback.get("flink_restarts").asLong(), imageIo.checkpointLines());

    try (ImageDecoder probe = new ImageDecoder()) {
      assumeTrue(!"ImageIO".equals(probe.name()), "libturbojpeg0 is not installed here: nothing to compare with");
    }
    LocalRun withTurbo = local(dir.resolve("turbo"), "-Xmx3g");
    assertFalse(withTurbo.saysImageIo(), "the default run used libjpeg-turbo");
    JsonNode turbo = withTurbo.summary();
    for (String field : COUNTS) {
      assertEquals(turbo.get(field).asLong(), fallback.get(field).asLong(), field);
    }
  }
}
