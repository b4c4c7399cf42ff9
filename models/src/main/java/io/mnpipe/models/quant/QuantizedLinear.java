package io.mnpipe.models.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A linear layer whose weight is fake-quantized per output unit, symmetric int8, when quantization
 * is on; the bias stays float (an int8 kernel keeps it in int32 at the product's scale). Wraps the
 * float {@link Linear}, so its parameters are the float model's.
 */
public final class QuantizedLinear extends AbstractBlock implements Quantization.Quantizing {
  private static final byte VERSION = 1;
  private final Linear linear;
  private Quantization.Mode mode = Quantization.Mode.INT8_EVAL;

  public QuantizedLinear(Linear linear) {
    super(VERSION);
    this.linear = addChildBlock("linear", linear);
  }

  @Override
  public void setMode(Quantization.Mode mode) {
    this.mode = mode;
  }

  public Parameter weight() {
    return linear.getParameters().get("weight");
  }

  public Parameter bias() {
    return linear.getParameters().get("bias");
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = ps.getValue(weight(), x.getDevice(), training);
    NDArray b = ps.getValue(bias(), x.getDevice(), training);
    try (NDScope scope = new NDScope()) { // frees the temporaries made from the weight (the model's manager)
      NDList out = Linear.linear(x, mode.fakeQuant() ? FakeQuant.perChannelSymmetric(w) : w, b);
      NDScope.unregister(out);
      return out;
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return linear.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    linear.initialize(manager, dataType, inputShapes);
  }
}
