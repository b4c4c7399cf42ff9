package io.mnpipe.models.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.quant.Quantization;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every model exported to ONNX and run by ONNX Runtime gives DJL's eval-mode logits. */
class OnnxExporterTest {
  private static final int SIZE = 32;
  private static final int CLASSES = 10;
  private static final Shape INPUT = new Shape(3, 3, SIZE, SIZE);

  @Test
  void everyFloatModelExportsToTheSameLogits() throws Exception {
    for (String name : MobileNets.names()) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block b = initialised(MobileNets.create(name, CLASSES), m);
        NDArray x = m.randomNormal(INPUT);
        float[] want = b.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
        var exported = OnnxExporter.export(b, SIZE, CLASSES, false, Map.of("model", name));
        assertEquals("float32", exported.precision());
        assertClose(want, run(exported.model(), x, OrtSession.SessionOptions.OptLevel.ALL_OPT), 1e-4, name);
      }
    }
  }

  @Test
  void aQatModelExportsToInt8QdqThatReproducesTheSimulatedInt8Logits() throws Exception {
    for (String name : new String[] {"mobilenet_v1_025", "mobilenet_v2_035"}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block q = initialised(MobileNets.create(name, CLASSES, true), m);
        NDArray x = m.randomNormal(INPUT);
        ParameterStore ps = new ParameterStore(m, false);
        Quantization.configure(q, Quantization.Mode.CALIBRATE);
        q.forward(ps, new NDList(x), false);
        Quantization.configure(q, Quantization.Mode.INT8_EVAL);
        float[] int8 = q.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        Quantization.configure(q, Quantization.Mode.FLOAT_EVAL);
        float[] fp = q.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();

        var qdq = OnnxExporter.export(q, SIZE, CLASSES, true, Map.of());
        assertEquals("int8", qdq.precision());
        // Without graph rewrites ONNX Runtime runs the QDQ pairs as written: the same rounding as fake quantization.
        assertClose(int8, run(qdq.model(), x, OrtSession.SessionOptions.OptLevel.NO_OPT), 1e-3, name + " int8");
        // Its integer kernels (QLinearConv and friends) requantize between layers: near, not equal.
        assertClose(int8, run(qdq.model(), x, OrtSession.SessionOptions.OptLevel.ALL_OPT), 0.1, name + " int8 kernels");
        assertTrue(qdq.model().length < 0.4 * OnnxExporter.export(q, SIZE, CLASSES, false, Map.of()).model().length,
            "int8 weights take a byte each");
        // The float export of the same QAT weights is the evaluator's float figure.
        assertClose(fp, run(OnnxExporter.export(q, SIZE, CLASSES, false, Map.of()).model(), x,
            OrtSession.SessionOptions.OptLevel.ALL_OPT), 1e-4, name + " float");
      }
    }
  }

  @Test
  void int8ExportRefusesFloatModelsAndUnsetRanges() {
    try (NDManager m = NDManager.newBaseManager()) {
      Block f = initialised(MobileNets.create("mobilenet_v2_035", CLASSES), m);
      var e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(f, SIZE, CLASSES, true, Map.of()));
      assertTrue(e.getMessage().contains("QAT"), e.getMessage());
      Block q = initialised(MobileNets.create("mobilenet_v2_035", CLASSES, true), m);
      e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(q, SIZE, CLASSES, true, Map.of()));
      assertTrue(e.getMessage().contains("never saw data"), e.getMessage());
    }
  }

  /**
   * Initialised, with BatchNorm statistics and affine parameters away from their initial 0/1, so
   * that folding them into the convs is tested, and a classifier whose logits are not all near 0.
   */
  private static Block initialised(Block b, NDManager m) {
    b.initialize(m, DataType.FLOAT32, INPUT);
    for (var p : b.getParameters()) {
      Parameter param = p.getValue();
      NDArray a = param.getArray();
      String n = p.getKey();
      NDArray v;
      if (n.endsWith("runningVar")) {
        v = m.randomUniform(0.5f, 2f, a.getShape());
      } else if (n.endsWith("gamma")) {
        v = m.randomUniform(0.5f, 1.5f, a.getShape());
      } else if (n.endsWith("runningMean") || n.endsWith("beta")) {
        v = m.randomNormal(0f, 0.1f, a.getShape(), DataType.FLOAT32);
      } else if (n.endsWith("weight") && a.getShape().dimension() == 2) {
        v = m.randomNormal(0f, 0.1f, a.getShape(), DataType.FLOAT32);
      } else {
        continue;
      }
      a.set(v.toFloatArray());
    }
    return b;
  }

  private static float[] run(byte[] model, NDArray x, OrtSession.SessionOptions.OptLevel level) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(level);
      try (OrtSession s = env.createSession(model, o);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), x.getShape().getShape());
          OrtSession.Result r = s.run(Map.of(OnnxExporter.INPUT, in))) {
        float[][] logits = (float[][]) r.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
        float[] flat = new float[logits.length * logits[0].length];
        for (int i = 0; i < logits.length; i++) {
          System.arraycopy(logits[i], 0, flat, i * logits[i].length, logits[i].length);
        }
        return flat;
      }
    }
  }

  /** Close relative to the logits' spread: {@code max |a - b| <= tol * max |a|}. */
  private static void assertClose(float[] want, float[] got, double tol, String what) {
    assertEquals(want.length, got.length, what);
    double maxDiff = 0;
    double scale = 0;
    for (int i = 0; i < want.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    assertTrue(scale > 0 && maxDiff <= tol * scale, what + ": max |diff| " + maxDiff + " vs max |logit| " + scale);
  }
}
