package io.mnpipe.models.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** uint8 HWC in, (x/255 - mean)/std in NCHW out, per channel and per sample. */
class NormalizerTest {
  @Test
  void normalisesPerChannelAndTransposes() {
    int n = 2;
    int h = 2;
    int w = 3;
    byte[] px = new byte[n * h * w * 3];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < h * w; i++) {
        px[(s * h * w + i) * 3] = (byte) (s == 0 ? 255 : 0);  // R
        px[(s * h * w + i) * 3 + 1] = (byte) 128;              // G
        px[(s * h * w + i) * 3 + 2] = (byte) (i);              // B varies with position
      }
    }
    SampleBatch b = new SampleBatch(px, new int[] {0, 1}, n, h, w, 3, 1);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = new Normalizer(m).toInput(b, m);
      assertEquals(new Shape(2, 3, 2, 3), x.getShape());
      assertEquals(DataType.FLOAT32, x.getDataType());
      assertEquals((1f - 0.485f) / 0.229f, x.getFloat(0, 0, 1, 2), 1e-4);
      assertEquals((0f - 0.485f) / 0.229f, x.getFloat(1, 0, 0, 0), 1e-4);
      assertEquals((128 / 255f - 0.456f) / 0.224f, x.getFloat(1, 1, 1, 1), 1e-4);
      assertEquals((5 / 255f - 0.406f) / 0.225f, x.getFloat(0, 2, 1, 2), 1e-4);
      assertEquals(0L, Normalizer.labels(b, m).getLong(0));
    }
  }
}
