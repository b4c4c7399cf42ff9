package io.mnpipe.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole slice, as {@code ./pipeline local} runs it: embedded broker, every stage, one summary. */
class LocalPipelineIT {

  @Test
  void everyImageIsAccountedForAndTheModelBeatsChance(@TempDir Path dir) throws Exception {
    var config = new LocalConfig("synthetic", new SyntheticDataset.Config(3, 200, 20, 2, 11), "mobilenet_v2_035", 3, 32,
        16, 0.01, 4e-5, 5, null, dir, 0, 2, 11, 0, 2, 64L << 20, 3, false, null, 0);
    RunSummary s = new LocalPipeline(config).run();

    assertEquals(3 * 200 + 2 + 3 * 20, s.ingested());
    assertEquals(s.ingested(), s.decoded() + s.deadLettered(), "nothing lost between ingest and preprocess");
    assertEquals(2, s.deadLettered());
    assertEquals(3 * 3 * 200, s.augmentedSamples() - 3 * 20, "three epochs of train samples plus one val pass");
    assertEquals(3 * 3 * 200, s.trainedSamples(), "each epoch's samples trained once");
    assertTrue(s.checkpoints() >= 1);
    assertEquals(s.checkpoints(), s.evaluations().size(), "one evaluation per checkpoint");
    assertTrue(s.finalTop1() > s.chanceTop1(), "top-1 " + s.finalTop1() + " vs chance " + s.chanceTop1());

    Path json = dir.resolve("s.json");
    s.writeJson(json);
    JsonNode n = new ObjectMapper().readTree(json.toFile());
    for (String field : new String[] {"ingested", "decoded", "dead_lettered", "trained_samples", "checkpoints",
        "evaluations", "final_top1", "wall_seconds"}) {
      assertFalse(n.path(field).isMissingNode(), field);
    }
    assertEquals(s.evaluations().size(), n.get("evaluations").size());
    assertTrue(n.get("evaluations").get(0).has("top5"));
    assertTrue(s.evaluations().stream().allMatch(e -> e.precision().equals("float32") && e.floatTop1() == null));

    // Quantization-aware fine-tuning from the float run's final checkpoint, through the whole pipeline again.
    Path floatFinal;
    try (var runs = Files.list(dir.resolve("checkpoints"))) {
      floatFinal = Checkpoints.latest(runs.filter(Files::isDirectory).findFirst().orElseThrow()).orElseThrow();
    }
    var qat = new LocalConfig("synthetic", new SyntheticDataset.Config(3, 200, 20, 2, 11), "mobilenet_v2_035", 1, 32,
        16, 0.002, 4e-5, 5, null, dir.resolve("qat"), 0, 2, 11, 0, 1, 64L << 20, 3, true, floatFinal, 1);
    RunSummary q = new LocalPipeline(qat).run();
    assertEquals(3 * 200, q.trainedSamples());
    assertFalse(q.evaluations().isEmpty());
    for (RunSummary.Evaluation e : q.evaluations()) {
      assertEquals("int8", e.precision(), "a QAT checkpoint is scored in simulated int8");
      assertNotNull(e.floatTop1(), "and its weights in float beside it");
    }
    assertTrue(q.finalTop1() > q.chanceTop1(), "int8 top-1 " + q.finalTop1() + " vs chance " + q.chanceTop1());
    Path qatFinal;
    try (var runs = Files.list(dir.resolve("qat").resolve("checkpoints"))) {
      qatFinal = Checkpoints.latest(runs.filter(Files::isDirectory).findFirst().orElseThrow()).orElseThrow();
    }
    CheckpointMeta meta = Checkpoints.readMeta(qatFinal);
    assertTrue(meta.quantized() && meta.bnFrozen(), "QAT and the frozen BatchNorm go into the checkpoint: " + meta);
  }
}
