package io.mnpipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** V3's own pieces: the hard activations, the builder's checks, a parameter round trip (one SGD step: trainer's MobileNetV3StepTest). */
class MobileNetV3Test {
  @Test
  void hardActivationsFollowTheirDefinitions() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] x = {-4f, -3f, -1.5f, 0f, 1f, 3f, 5f};
      float[] swish = new float[x.length];
      float[] sigmoid = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        float relu6 = Math.min(6f, Math.max(0f, x[i] + 3f));
        swish[i] = x[i] * relu6 / 6f;
        sigmoid[i] = relu6 / 6f;
      }
      assertArrayEquals(swish, Layers.hardSwish(m.create(x)).toFloatArray(), 1e-6f);
      assertArrayEquals(sigmoid, Layers.hardSigmoid(m.create(x)).toFloatArray(), 1e-6f);
    }
  }

  @Test
  void builderNamesWhatIsMissing() {
    var e = assertThrows(IllegalArgumentException.class, () -> MobileNetV3.builder().setNumClasses(10).build());
    assertTrue(e.getMessage().contains("LARGE or SMALL"), e.getMessage());
  }

  @Test
  void savedParametersLoadIntoAFreshBlock() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape input = new Shape(2, 3, 32, 32);
      Block a = MobileNets.create("mobilenet_v3_small_075", 5);
      a.initialize(m, DataType.FLOAT32, input);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.saveParameters(new DataOutputStream(bytes));
      Block b = MobileNets.create("mobilenet_v3_small_075", 5);
      b.initialize(m, DataType.FLOAT32, input);
      b.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      NDArray x = m.randomNormal(input);
      ParameterStore ps = new ParameterStore(m, false);
      assertArrayEquals(a.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
          b.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), 1e-5f);
    }
  }
}
