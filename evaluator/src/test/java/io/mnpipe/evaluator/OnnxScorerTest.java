package io.mnpipe.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.TestSamples;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.export.OnnxExporter;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.input.SampleSource;
import io.mnpipe.models.quant.Quantization;
import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A QAT checkpoint exported to ONNX scores, under ONNX Runtime, what the evaluator scores it. */
class OnnxScorerTest {
  private static final int SIZE = 32;
  private static final int CLASSES = 4;
  private static final List<AugmentedSample> VAL = TestSamples.dataset(96, CLASSES, SIZE, 11);

  @Test
  void anExportedQatCheckpointReproducesTheEvaluatorsInt8AndFloatScores(@TempDir Path dir) throws Exception {
    Path ckptDir = qatCheckpoint(dir);
    try (Checkpoints.Loaded ckpt = Checkpoints.load(ckptDir)) {
      CheckpointScorer.Score evaluator = CheckpointScorer.score(ckpt, SampleSource.of(VAL, 10), 16, 2);
      assertEquals(VAL.size(), evaluator.accuracy().samples());
      Path int8 = write(dir.resolve("int8.onnx"), OnnxExporter.export(ckpt.model().getBlock(), SIZE, CLASSES, true,
          Map.of()));
      Path fp32 = write(dir.resolve("float.onnx"), OnnxExporter.export(ckpt.model().getBlock(), SIZE, CLASSES, false,
          Map.of()));

      try (OnnxScorer asWritten = new OnnxScorer(int8, false)) {
        assertEquals(SIZE, asWritten.imageSize());
        assertEquals(CLASSES, asWritten.numClasses());
        TopKAccuracy a = asWritten.score(SampleSource.of(VAL, 10), 16).accuracy();
        assertEquals(VAL.size(), a.samples());
        // Other conv kernels sum in another order: an activation a hair from a rounding boundary may
        // land on its other side. One sample of the 96 may flip; more means the graph is not the model.
        assertEquals(evaluator.accuracy().top1(), a.top1(), 1.0 / VAL.size() + 1e-9, "int8 top-1, QDQ as written");
        assertEquals(evaluator.accuracy().meanLoss(), a.meanLoss(), 1e-3, "int8 loss");
      }
      try (OnnxScorer kernels = new OnnxScorer(int8, true)) {
        TopKAccuracy a = kernels.score(SampleSource.of(VAL, 10), 16).accuracy();
        // Integer kernels requantize between layers: the loss moves a little, not the model.
        assertEquals(evaluator.accuracy().meanLoss(), a.meanLoss(), 0.05 * evaluator.accuracy().meanLoss(),
            "int8 loss with ONNX Runtime's integer kernels");
      }
      try (OnnxScorer f = new OnnxScorer(fp32, true)) {
        TopKAccuracy a = f.score(SampleSource.of(VAL, 10), 16).accuracy();
        assertEquals(evaluator.floatAccuracy().top1(), a.top1(), 1.0 / VAL.size() + 1e-9, "float top-1 of the same weights");
        assertEquals(evaluator.floatAccuracy().meanLoss(), a.meanLoss(), 1e-3);
      }
    }
  }

  /** A mobilenet_v2_035 QAT checkpoint whose activation ranges were calibrated on the validation images. */
  private static Path qatCheckpoint(Path dir) {
    try (Model model = Model.newInstance("mobilenet_v2_035")) {
      model.setBlock(MobileNets.create("mobilenet_v2_035", CLASSES, true));
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
      Quantization.configure(model.getBlock(), Quantization.Mode.CALIBRATE);
      EvalForward forward = new EvalForward(model);
      BatchAssembler assembler = new BatchAssembler(VAL.size(), SIZE, CLASSES, 0);
      SampleBatch all = null;
      for (AugmentedSample s : VAL) {
        all = assembler.add(s);
      }
      forward.logits(all);
      assertEquals(0, Quantization.unobserved(model.getBlock()));
      var meta = new CheckpointMeta("mobilenet_v2_035", CLASSES, SIZE, "onnx", 1, 1, 1.0, VAL.size(), true,
          Instant.now(), true, true);
      return Checkpoints.write(dir.resolve("run"), model, meta).dir();
    }
  }

  private static Path write(Path file, OnnxExporter.Exported e) throws Exception {
    Files.write(file, e.model());
    assertTrue(e.nodes() > 50);
    return file;
  }
}
