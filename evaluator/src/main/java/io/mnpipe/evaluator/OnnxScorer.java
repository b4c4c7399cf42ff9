package io.mnpipe.evaluator;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.BatchLoader;
import io.mnpipe.models.input.Normalizer;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.input.SampleSource;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An exported ONNX model ({@code pipeline export}) in, its accuracy on a bounded sample source out,
 * run by ONNX Runtime as a user's deployment would run it: the check that an export reproduces the
 * evaluator's figure. The model's input shape gives the image size, its output the class count.
 */
public final class OnnxScorer implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final String input;
  private final String output;
  private final int imageSize;
  private final int numClasses;

  /**
   * @param model the .onnx file
   * @param kernels true: ONNX Runtime's graph optimisations (QDQ pairs become integer kernels, as
   *     deployed); false: every node run as written (the float simulation the evaluator runs)
   */
  public OnnxScorer(Path model, boolean kernels) throws OrtException {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(kernels ? OrtSession.SessionOptions.OptLevel.ALL_OPT
          : OrtSession.SessionOptions.OptLevel.NO_OPT);
      this.session = env.createSession(model.toString(), o);
    }
    Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
    Map.Entry<String, NodeInfo> out = session.getOutputInfo().entrySet().iterator().next();
    long[] inShape = ((TensorInfo) in.getValue().getInfo()).getShape();
    long[] outShape = ((TensorInfo) out.getValue().getInfo()).getShape();
    if (inShape.length != 4 || inShape[1] != 3 || inShape[2] != inShape[3] || outShape.length != 2) {
      session.close();
      throw new IllegalArgumentException(model + " is not an image classifier of (N, 3, S, S) in, (N, classes) out");
    }
    this.input = in.getKey();
    this.output = out.getKey();
    this.imageSize = (int) inShape[2];
    this.numClasses = (int) outShape[1];
  }

  public int imageSize() {
    return imageSize;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Scores every sample {@code val} delivers; closes {@code val}. Skipped: wrong shape or label. */
  public CheckpointScorer.Score score(SampleSource val, int batchSize) throws OrtException {
    long t0 = System.nanoTime();
    BatchAssembler assembler = new BatchAssembler(batchSize, imageSize, numClasses, 0);
    TopKAccuracy acc = new TopKAccuracy();
    try (BatchLoader loader = new BatchLoader(val, assembler, 2, 1, "mnpipe-onnx-loader").start()) {
      for (SampleBatch b = loader.next(); b != null; b = loader.next()) {
        acc.add(logits(b), numClasses, b.labels(), b.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring an ONNX model", e);
    }
    return new CheckpointScorer.Score(acc, assembler.skipped() + val.undecodable(), (System.nanoTime() - t0) / 1e9,
        null);
  }

  private float[] logits(SampleBatch b) throws OrtException {
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw(b)),
        new long[] {b.size(), 3, imageSize, imageSize}); OrtSession.Result r = session.run(Map.of(input, x))) {
      float[][] rows = (float[][]) r.get(output).orElseThrow().getValue();
      float[] flat = new float[b.size() * numClasses];
      for (int i = 0; i < b.size(); i++) {
        System.arraycopy(rows[i], 0, flat, i * numClasses, numClasses);
      }
      return flat;
    }
  }

  /** uint8 HWC samples to the float NCHW input the trainer's {@link Normalizer} makes. */
  static float[] nchw(SampleBatch b) {
    int hw = b.height() * b.width();
    float[] out = new float[b.size() * 3 * hw];
    byte[] px = b.pixels();
    for (int n = 0; n < b.size(); n++) {
      for (int c = 0; c < 3; c++) {
        float mean = Normalizer.IMAGENET_MEAN[c] * 255f;
        float std = Normalizer.IMAGENET_STD[c] * 255f;
        int dst = (n * 3 + c) * hw;
        int src = n * hw * 3 + c;
        for (int i = 0; i < hw; i++) {
          out[dst + i] = ((px[src + 3 * i] & 0xff) - mean) / std;
        }
      }
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
