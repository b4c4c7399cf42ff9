package io.mnpipe.models.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * A tensor in, the same tensor as uint8 would hold it out: per-tensor asymmetric fake quantization
 * of an activation, with the observed range kept as a parameter ({@code range}: min, max, and 1
 * once a batch was seen), so that it is saved with the checkpoint. How it observes and whether it
 * quantizes are set on the whole model by {@link Quantization#configure}: during QAT the range
 * follows an exponential moving average of each training batch's min and max (weight
 * {@value #EMA_DECAY} on the old value, PyTorch's MovingAverageMinMaxObserver), the first batch
 * setting it; in a calibration pass it is the running min and max of all batches; in evaluation
 * it is frozen.
 */
public final class ActivationQuantizer extends AbstractBlock implements Quantization.Quantizing {
  private static final byte VERSION = 1;
  /** Weight of the old range in the moving average. */
  public static final float EMA_DECAY = 0.99f;

  private final Parameter range;
  private Quantization.Mode mode = Quantization.Mode.INT8_EVAL;

  public ActivationQuantizer() {
    super(VERSION);
    range = addParameter(Parameter.builder().setName("range").setType(Parameter.Type.OTHER)
        .optShape(new Shape(3)).optInitializer(new ConstantInitializer(0f)).optRequiresGrad(false).build());
  }

  @Override
  public void setMode(Quantization.Mode mode) {
    this.mode = mode;
  }

  /** The parameter holding {min, max, seen}. */
  public Parameter range() {
    return range;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    // Ops on the range would attach their results to the model's manager, which lives as long as the
    // model: the scope frees them (autograd keeps what the backward pass needs).
    NDArray r = ps.getValue(range, x.getDevice(), training); // outside: on a second device, the store's copy
    try (NDScope scope = new NDScope()) {
      if (mode.observes(training)) {
        observe(r, x, mode == Quantization.Mode.CALIBRATE);
      }
      if (!mode.fakeQuant()) {
        return inputs;
      }
      NDArray out = FakeQuant.perTensorAffine(x, r);
      NDScope.unregister(out);
      return new NDList(out);
    }
  }

  /** Folds the batch's min and max into {@code r} in place: EMA, or running min/max when {@code minMax}. */
  static void observe(NDArray r, NDArray x, boolean minMax) {
    NDArray xd = x.stopGradient();
    NDArray cur = NDArrays.stack(new NDList(xd.min(), xd.max()));
    NDArray old = r.get("0:2");
    NDArray seen = r.get(2);
    NDArray merged = minMax
        ? NDArrays.stack(new NDList(old.get(0).minimum(cur.get(0)), old.get(1).maximum(cur.get(1))))
        : old.mul(EMA_DECAY).add(cur.mul(1 - EMA_DECAY));
    // seen is 0 or 1: the first batch sets the range, later ones merge into it.
    NDArray next = merged.mul(seen).add(cur.mul(seen.neg().add(1f)));
    r.set(new ai.djl.ndarray.index.NDIndex("0:2"), next);
    r.set(new ai.djl.ndarray.index.NDIndex("2"), 1f);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
