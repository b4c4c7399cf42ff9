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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A smoke run of {@code ./pipeline bench compare} as users run it: a handful of images and a few steps
 * per case, both sides real (libtorch through DJL here, PyTorch + torchvision in Debian's python3
 * there, which .ci/run installs). It asserts that both sides produced a figure for each case, on the
 * same architecture; how they compare is the bench command's business, never a test's.
 */
class PeerComparisonIT {
  @Test
  void everyCaseGetsAFigureFromBothSides() throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs Debian's python3 with python3-torch,"
        + " python3-torchvision and python3-pil (.ci/run installs them)");
    PipelineLauncher.Run run = PipelineLauncher.run("-Xmx3g", Duration.ofMinutes(5), "bench", "compare", "--json",
        "--cases", "train:mobilenet_v3_small_100:64:8,eval:mobilenet_v2_100:64:8,data:64:8", "--rounds", "1",
        "--steps", "2", "--generate", "40");
    assertEquals(0, run.code(), PipelineLauncher.tail(run.err()) + PipelineLauncher.tail(run.out()));
    String out = run.out();
    // stdout is the JSON alone: the log went to stderr
    JsonNode result = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(out);
    assertEquals("compare", result.path("benchmark").asText());
    JsonNode cases = result.path("cases");
    assertEquals(3, cases.size(), out);
    Map<String, Long> params = Map.of("train mobilenet_v3_small_100 64 b8", 2_542_856L,
        "eval mobilenet_v2_100 64 b8", 3_504_872L);
    for (JsonNode c : cases) {
      String name = c.path("case").asText();
      assertTrue(c.path("mnpipe_images_per_s").asDouble() > 0, name + ": mnpipe's figure: " + c);
      assertTrue(c.path("pytorch_images_per_s").asDouble() > 0, name + ": PyTorch's figure: " + c);
      assertTrue(c.path("ratio").asDouble() > 0, name + ": " + c);
      assertTrue(c.path("pytorch").asText().startsWith("1.") || c.path("pytorch").asText().startsWith("2."),
          name + ": the peer's torch version: " + c);
      if (params.containsKey(name)) {
        assertEquals(params.get(name), c.path("params").asLong(), name + ": ours, 1000 classes");
        assertEquals(params.get(name), c.path("pytorch_params").asLong(), name + ": torchvision's");
      }
    }
  }
}
