package io.mnpipe.evaluator;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.mnpipe.models.input.Normalizer;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.quant.Quantization;

/**
 * A uint8 batch in, the model's logits out: the evaluator's forward pass, in eval mode (BatchNorm
 * running statistics, no dropout) and outside any gradient collector, so libtorch records no
 * autograd graph. One instance per thread (the normaliser reuses a staging buffer).
 */
public final class EvalForward {
  private final Model model;
  private final Normalizer normalizer;
  private final ParameterStore params;

  public EvalForward(Model model) {
    this.model = model;
    this.normalizer = new Normalizer(model.getNDManager());
    this.params = new ParameterStore(model.getNDManager(), false);
  }

  /** Logits of the batch's samples, row after row (size x classes), copied off the device. */
  public float[] logits(SampleBatch batch) {
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDArray x = normalizer.toInput(batch, scope);
      return model.getBlock().forward(params, new NDList(x), false).singletonOrThrow().toFloatArray();
    }
  }

  /**
   * Of a QAT model: the logits in simulated int8 and of the same weights in float, from one
   * normalised input; the model is left in int8 evaluation.
   */
  public float[][] int8AndFloatLogits(SampleBatch batch) {
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDArray x = normalizer.toInput(batch, scope);
      Quantization.configure(model.getBlock(), Quantization.Mode.FLOAT_EVAL);
      float[] f = model.getBlock().forward(params, new NDList(x), false).singletonOrThrow().toFloatArray();
      Quantization.configure(model.getBlock(), Quantization.Mode.INT8_EVAL);
      float[] q = model.getBlock().forward(params, new NDList(x), false).singletonOrThrow().toFloatArray();
      return new float[][] {q, f};
    }
  }
}
