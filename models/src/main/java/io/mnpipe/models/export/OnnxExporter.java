package io.mnpipe.models.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import io.mnpipe.models.export.OnnxGraph.Attr;
import io.mnpipe.models.quant.ActivationQuantizer;
import io.mnpipe.models.quant.FakeQuant;
import io.mnpipe.models.quant.FoldedConvBatchNorm;
import io.mnpipe.models.quant.Quantization;
import io.mnpipe.models.quant.QuantizedLinear;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A MobileNet block (V1, V2, V3, float or QAT form) in, an ONNX model out, for inference in eval
 * mode: BatchNorm folded into the conv before it, dropout dropped. Input {@code input}: float32
 * (N, 3, H, W) normalised with the ImageNet mean/std (the trainer's input); output {@code logits}
 * (N, classes).
 *
 * <p>With {@code int8} (QAT models only) the graph is the QDQ form TFLite and ONNX Runtime turn into
 * integer kernels: each activation quantizer becomes a QuantizeLinear/DequantizeLinear pair with its
 * trained uint8 scale and zero point, and conv/linear weights are stored as int8 with per-output-channel
 * scales (DequantizeLinear on axis 0). The values are the ones fake quantization computed in
 * training, so the float simulation of the graph equals the evaluator's int8 forward.
 */
public final class OnnxExporter {
  public static final String INPUT = "input";
  public static final String OUTPUT = "logits";

  private final OnnxGraph graph = new OnnxGraph();
  private final boolean int8;

  private OnnxExporter(boolean int8) {
    this.int8 = int8;
  }

  /** What {@link #export} wrote. */
  public record Exported(byte[] model, int nodes, String precision) {}

  /**
   * @param block an initialised model block
   * @param imageSize the input's height and width
   * @param numClasses the logits' width
   * @param int8 QDQ int8 (the block must be a QAT model whose ranges have all seen data)
   * @param metadata written as the model's metadata_props
   */
  public static Exported export(Block block, int imageSize, int numClasses, boolean int8,
      Map<String, String> metadata) {
    if (int8) {
      if (Quantization.blocks(block, ActivationQuantizer.class).isEmpty()) {
        throw new IllegalArgumentException("int8 export needs a QAT model (trained with --qat); this one is float");
      }
      int unobserved = Quantization.unobserved(block);
      if (unobserved > 0) {
        throw new IllegalArgumentException(unobserved + " activation quantizer(s) never saw data: their int8 ranges"
            + " are unset, so there is no int8 model to export");
      }
    }
    OnnxExporter e = new OnnxExporter(int8);
    String out;
    try (NDScope scope = new NDScope()) { // the folding's temporaries would otherwise live with the model
      out = e.emit(block, INPUT);
    }
    e.graph.namedNode(OUTPUT, "Identity", List.of(out));
    e.graph.metadata("precision", int8 ? "int8" : "float32");
    metadata.forEach(e.graph::metadata);
    byte[] bytes = e.graph.model("mnpipe", INPUT, new long[] {3, imageSize, imageSize}, OUTPUT,
        new long[] {numClasses}, "0.1.0");
    return new Exported(bytes, e.graph.nodeCount(), int8 ? "int8" : "float32");
  }

  private String emit(Block b, String x) {
    if (b instanceof SequentialBlock s) {
      List<Block> children = s.getChildren().values();
      for (int i = 0; i < children.size(); i++) {
        Block c = children.get(i);
        if (c instanceof Conv2d conv && i + 1 < children.size() && children.get(i + 1) instanceof BatchNorm bn) {
          NDArray[] sb = batchNormAffine(bn, conv.getFilters(), weight(conv));
          NDArray w = weight(conv).mul(sb[0].reshape(-1, 1, 1, 1));
          x = conv(conv, w, sb[1], x, false);
          i++;
        } else {
          x = emit(c, x);
        }
      }
      return x;
    }
    if (b instanceof FoldedConvBatchNorm f) {
      return conv(f.conv(), f.foldedWeight(), f.foldedBias(), x, int8);
    }
    if (b instanceof Conv2d conv) {
      var bias = conv.isIncludeBias() ? conv.getParameters().get("bias").getArray() : null;
      return conv(conv, weight(conv), bias, x, false);
    }
    if (b instanceof ActivationQuantizer q) {
      return int8 ? quantizeDequantize(q.range().getArray(), x) : x;
    }
    if (b instanceof QuantizedLinear q) {
      return gemm(q.weight().getArray(), q.bias().getArray(), x, int8);
    }
    if (b instanceof Linear l) {
      return gemm(l.getParameters().get("weight").getArray(), l.getParameters().get("bias").getArray(), x, false);
    }
    if (b instanceof Dropout) {
      return x; // inference
    }
    if (b instanceof LambdaBlock l) {
      return lambda(l.getName(), x);
    }
    if (b instanceof ParallelBlock p) {
      List<Block> branches = p.getChildren().values();
      if (branches.size() != 2 || !isIdentity(branches.get(1))) {
        throw unsupported(b, "a parallel block other than f(x) (+|*) x");
      }
      String fx = emit(branches.get(0), x);
      // V3's squeeze-and-excitation scales x by its branch; every other shortcut adds.
      return graph.node(isSqueezeExcitation(branches.get(0)) ? "Mul" : "Add", List.of(x, fx));
    }
    throw unsupported(b, "no ONNX form");
  }

  private static boolean isIdentity(Block b) {
    return b instanceof LambdaBlock l && "identity".equalsIgnoreCase(l.getName());
  }

  private static boolean isSqueezeExcitation(Block branch) {
    return branch instanceof SequentialBlock s && !s.getChildren().isEmpty()
        && s.getChildren().get(0).getValue() instanceof LambdaBlock l && "se_pool".equals(l.getName());
  }

  private String lambda(String name, String x) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "identity" -> x;
      case "relu" -> graph.node("Relu", List.of(x));
      case "relu6" -> graph.node("Clip", List.of(x, graph.scalar(0f), graph.scalar(6f)));
      // PyTorch's hardsigmoid relu6(x + 3) / 6 is ONNX's HardSigmoid with alpha 1/6, beta 1/2.
      case "hardsigmoid" -> hardSigmoid(x);
      case "hardswish" -> graph.node("Mul", List.of(x, hardSigmoid(x))); // HardSwish itself is opset 14
      case "se_pool" -> graph.node("GlobalAveragePool", List.of(x));
      case "globalavgpool2d" -> graph.node("Flatten", List.of(graph.node("GlobalAveragePool", List.of(x))),
          Attr.integer("axis", 1));
      case "batchflatten" -> graph.node("Flatten", List.of(x), Attr.integer("axis", 1));
      default -> throw new IllegalArgumentException("cannot export the lambda block '" + name + "': no ONNX form");
    };
  }

  private String hardSigmoid(String x) {
    return graph.node("HardSigmoid", List.of(x), Attr.real("alpha", 1f / 6f), Attr.real("beta", 0.5f));
  }

  private static NDArray weight(Convolution conv) {
    return conv.getParameters().get("weight").getArray();
  }

  /**
   * BatchNorm in eval as {@code y = s * x + t} per channel, read off the block itself (its epsilon
   * is not exposed): {@code t = BN(0)}, {@code s = BN(1) - BN(0)}.
   */
  private static NDArray[] batchNormAffine(BatchNorm bn, int channels, NDArray like) {
    NDArray probe = like.getManager().zeros(new Shape(2, channels, 1, 1), like.getDataType(), like.getDevice());
    probe.set(new ai.djl.ndarray.index.NDIndex("1"), 1f);
    NDArray y = bn.forward(new ParameterStore(like.getManager(), false), new NDList(probe), false)
        .singletonOrThrow().reshape(2, channels);
    NDArray t = y.get(0);
    return new NDArray[] {y.get(1).sub(t), t};
  }

  private String conv(Convolution conv, NDArray w, NDArray bias, String x, boolean quantizeWeights) {
    Shape ws = w.getShape();
    String weight = quantizeWeights ? dequantizedWeight(w) : graph.floats("weight", w.toFloatArray(), ws.getShape());
    List<String> inputs = new ArrayList<>(List.of(x, weight));
    if (bias != null) {
      inputs.add(graph.floats("bias", bias.toFloatArray(), ws.get(0)));
    }
    Shape k = conv.getKernelShape();
    Shape p = conv.getPadding();
    return graph.node("Conv", inputs, Attr.ints("kernel_shape", k.getShape()), Attr.ints("strides",
        conv.getStride().getShape()), Attr.ints("pads", p.get(0), p.get(1), p.get(0), p.get(1)),
        Attr.ints("dilations", conv.getDilation().getShape()), Attr.integer("group", conv.getGroups()));
  }

  private String gemm(NDArray w, NDArray b, String x, boolean quantizeWeights) {
    Shape ws = w.getShape();
    String weight = quantizeWeights ? dequantizedWeight(w) : graph.floats("weight", w.toFloatArray(), ws.getShape());
    return graph.node("Gemm", List.of(x, weight, graph.floats("bias", b.toFloatArray(), ws.get(0))),
        Attr.integer("transB", 1));
  }

  /** int8 weights with per-output-channel scales, exactly as {@link FakeQuant#perChannelSymmetric} rounds them. */
  private String dequantizedWeight(NDArray w) {
    Shape ws = w.getShape();
    NDArray scale = FakeQuant.symmetricScales(w);
    NDArray q = w.div(scale).round().clip(-FakeQuant.INT8_MAX, FakeQuant.INT8_MAX).toType(DataType.INT8, false);
    int channels = Math.toIntExact(ws.get(0));
    return graph.node("DequantizeLinear", List.of(graph.bytes("weight_q", OnnxGraph.INT8, q.toByteArray(),
        ws.getShape()), graph.floats("weight_scale", scale.toFloatArray(), channels),
        graph.bytes("weight_zero", OnnxGraph.INT8, new byte[channels], channels)), Attr.integer("axis", 0));
  }

  /** The uint8 scale and zero point {@link FakeQuant#perTensorAffine} uses for this range. */
  private String quantizeDequantize(NDArray range, String x) {
    NDArray p = FakeQuant.affineParams(range);
    String scale = graph.floats("act_scale", new float[] {p.getFloat(0)});
    String zero = graph.bytes("act_zero", OnnxGraph.UINT8, new byte[] {(byte) Math.round(p.getFloat(1))});
    return graph.node("DequantizeLinear", List.of(graph.node("QuantizeLinear", List.of(x, scale, zero)), scale, zero));
  }

  private static IllegalArgumentException unsupported(Block b, String why) {
    return new IllegalArgumentException("cannot export " + b.getClass().getSimpleName() + ": " + why);
  }
}
