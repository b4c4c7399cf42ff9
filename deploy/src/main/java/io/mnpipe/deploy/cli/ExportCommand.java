package io.mnpipe.deploy.cli;

import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.export.OnnxExporter;
import io.mnpipe.models.export.OnnxGraph;
import io.mnpipe.models.input.Normalizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline export}: one checkpoint in, a model file other runtimes load out. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Writes a checkpoint as an ONNX model for inference (opset " + OnnxGraph.OPSET + "): BatchNorm",
        "folded into the convs, dropout removed. Input 'input': float32 (N, 3, S, S), RGB, normalised as",
        "(x/255 - mean)/std with the ImageNet mean/std; output 'logits': (N, classes). With --int8 (QAT",
        "checkpoints) the model carries int8 weights with per-channel scales and the trained uint8",
        "activation scales and zero points as QuantizeLinear/DequantizeLinear pairs, which ONNX Runtime,",
        "TensorRT and TFLite converters run as integer kernels. Check it with",
        "'pipeline validate --onnx FILE --val ...'."})
public final class ExportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint folder (step-NNNNNNNNN).")
  Path checkpoint;

  @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT",
      description = "onnx (default). torchscript is not built: see the error it gives.")
  String format;

  @Option(names = "--int8", description = "QDQ int8 model of a QAT checkpoint (default: float32).")
  boolean int8;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Where to write (default: model.onnx or model-int8.onnx in the checkpoint folder).")
  Path output;

  @Override
  public Integer call() throws Exception {
    if ("torchscript".equals(format)) {
      throw new IllegalArgumentException("--format torchscript is not built: a TorchScript file is written by"
          + " Python's torch.jit, which this Java pipeline does not run. Export --format onnx and load it in"
          + " PyTorch with onnx2torch, or run it with ONNX Runtime");
    }
    if (!"onnx".equals(format)) {
      throw new IllegalArgumentException("--format " + format + ": only onnx is supported");
    }
    if (!Files.isDirectory(checkpoint)) {
      throw new IllegalArgumentException("--checkpoint " + checkpoint + " is not a checkpoint folder");
    }
    try (Checkpoints.Loaded ckpt = Checkpoints.load(checkpoint)) {
      CheckpointMeta meta = ckpt.meta();
      if (int8 && !meta.quantized()) {
        throw new IllegalArgumentException(meta.id() + " is a float checkpoint: --int8 needs a QAT one (train it"
            + " with --qat --init-checkpoint " + checkpoint + "), or leave --int8 off for a float32 model");
      }
      Map<String, String> props = new LinkedHashMap<>();
      props.put("model", meta.model());
      props.put("checkpoint", meta.id());
      props.put("num_classes", Integer.toString(meta.numClasses()));
      props.put("image_size", Integer.toString(meta.imageSize()));
      props.put("input_normalisation", "(x/255 - mean)/std, RGB, NCHW; mean "
          + Arrays.toString(Normalizer.IMAGENET_MEAN) + ", std " + Arrays.toString(Normalizer.IMAGENET_STD));
      var exported = OnnxExporter.export(ckpt.model().getBlock(), meta.imageSize(), meta.numClasses(), int8, props);
      Path out = output != null ? output : checkpoint.resolve(int8 ? "model-int8.onnx" : "model.onnx");
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.write(out, exported.model());
      System.out.printf(Locale.ROOT, "wrote %s: %s %s, %d nodes, %.2f MB; input '%s' float32 (N, 3, %d, %d),"
          + " output '%s' (N, %d)%n", out, meta.model(), exported.precision(), exported.nodes(),
          exported.model().length / 1e6, OnnxExporter.INPUT, meta.imageSize(), meta.imageSize(), OnnxExporter.OUTPUT,
          meta.numClasses());
    }
    return 0;
  }
}
