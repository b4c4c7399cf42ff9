package io.mnpipe.deploy.cli;

import static io.mnpipe.deploy.cli.PipelineCliIT.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.quant.Quantization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline export} and {@code pipeline validate --onnx} from the packaged jar: a QAT
 * checkpoint exported to int8 ONNX scores on the Fashion-MNIST test split (installed by .ci/run)
 * the top-1 the evaluator's simulated int8 gives it.
 */
class ExportCommandIT {
  private static final String FASHION_MNIST = "fashion-mnist:/usr/share/datasets/fashion-mnist";
  private static final Pattern TOP1 = Pattern.compile("top-1 ([0-9.]+)%");

  @Test
  void anExportedInt8ModelScoresTheEvaluatorsInt8TopOne(@TempDir Path dir) throws Exception {
    Path qat = checkpoint(dir.resolve("qat"), true);
    Path onnx = dir.resolve("out/model-int8.onnx");
    var export = pipeline("export", "--checkpoint", qat.toString(), "--int8", "--output", onnx.toString());
    assertEquals(0, export.code(), export.toString());
    assertTrue(export.out().contains("int8") && Files.size(onnx) > 100_000, export.out());

    var evaluator = pipeline("validate", "--checkpoint", qat.toString(), "--val", FASHION_MNIST, "--batch-size", "250");
    var onnxRuntime = pipeline("validate", "--onnx", onnx.toString(), "--onnx-as-written", "--val", FASHION_MNIST,
        "--batch-size", "250");
    assertEquals(0, evaluator.code(), evaluator.toString());
    assertEquals(0, onnxRuntime.code(), onnxRuntime.toString());
    assertTrue(evaluator.out().contains("int8 top-1") && onnxRuntime.out().contains("10000 samples"),
        evaluator.out() + onnxRuntime.out());
    // The same rounding on other conv kernels: an activation a hair from a rounding boundary may land
    // on the other side, which can flip a near-tie of an untrained model's logits. 5 of 10,000 at most.
    assertEquals(top1(evaluator.out()), top1(onnxRuntime.out()), 0.05, evaluator.out() + onnxRuntime.out());
  }

  @Test
  void refusalsAreOneLine(@TempDir Path dir) throws Exception {
    Path fp32 = checkpoint(dir.resolve("float"), false);
    var int8OfFloat = pipeline("export", "--checkpoint", fp32.toString(), "--int8");
    assertTrue(int8OfFloat.code() != 0 && int8OfFloat.err().startsWith("error: ")
        && int8OfFloat.err().contains("float checkpoint"), int8OfFloat.toString());
    var torchScript = pipeline("export", "--checkpoint", fp32.toString(), "--format", "torchscript");
    assertTrue(torchScript.code() != 0 && torchScript.err().contains("torchscript is not built"), torchScript.toString());
    assertFalse(torchScript.err().contains("\tat "), torchScript.err());
    var help = pipeline("export", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--int8") && help.out().contains("QuantizeLinear"), help.out());
    assertTrue(Files.notExists(fp32.resolve("model-int8.onnx")));
    var floatExport = pipeline("export", "--checkpoint", fp32.toString());
    assertEquals(0, floatExport.code(), floatExport.toString());
    assertTrue(Files.size(fp32.resolve("model.onnx")) > 100_000);
  }

  private static double top1(String out) {
    Matcher m = TOP1.matcher(out);
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }

  /** An untrained mobilenet_v2_035 for Fashion-MNIST's 10 classes at 32x32; QAT with calibrated ranges. */
  private static Path checkpoint(Path runDir, boolean qat) {
    try (Model model = Model.newInstance("mobilenet_v2_035")) {
      model.setBlock(MobileNets.create("mobilenet_v2_035", 10, qat));
      Shape in = new Shape(32, 3, 32, 32);
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, in);
      if (qat) {
        Quantization.configure(model.getBlock(), Quantization.Mode.CALIBRATE);
        model.getBlock().forward(new ParameterStore(model.getNDManager(), false),
            new NDList(model.getNDManager().randomNormal(in)), false);
      }
      var meta = new CheckpointMeta("mobilenet_v2_035", 10, 32, "export-it", 1, 1, 2.3, 32, true, Instant.now(), qat,
          qat);
      return Checkpoints.write(runDir, model, meta).dir();
    }
  }
}
