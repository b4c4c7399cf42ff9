package io.mnpipe.models.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Conv (no bias) + BatchNorm with the BatchNorm folded into the conv's weights before they are
 * fake-quantized, as an int8 kernel will run it (Jacob et al. 2018, section 3.2; the simulation of
 * PyTorch's ConvBn2d): with {@code s = gamma / sqrt(runningVar + eps)} per output channel,
 * {@code y = BN(conv(x, fq(w * s)) / s)}. In training the BatchNorm uses batch statistics and
 * updates its running ones, until {@link Quantization#freezeBatchNorm} freezes them (then, as in
 * evaluation, {@code y = conv(x, fq(w * s)) + (beta - gamma * runningMean / sqrt(runningVar + eps))},
 * the folded conv exactly). With quantization off it is plain conv + BatchNorm. Its parameters are
 * the conv's and the BatchNorm's, in the same order as the float model's, so a float checkpoint's
 * weights copy across.
 */
public final class FoldedConvBatchNorm extends AbstractBlock implements Quantization.Quantizing {
  private static final byte VERSION = 1;

  private final Conv2d conv;
  private final BatchNorm bn;
  private final float epsilon;
  private final float momentum;
  private Quantization.Mode mode = Quantization.Mode.INT8_EVAL;
  private boolean bnFrozen;

  /**
   * @param conv the conv, built without bias (its initializer, stride, padding, dilation and groups are kept)
   * @param epsilon BatchNorm epsilon
   * @param momentum DJL's BatchNorm momentum (weight of the old running statistic)
   */
  public FoldedConvBatchNorm(Conv2d conv, float epsilon, float momentum) {
    super(VERSION);
    if (conv.isIncludeBias()) {
      throw new IllegalArgumentException("the conv before a BatchNorm has no bias: the BatchNorm's beta is it");
    }
    this.conv = addChildBlock("conv", conv);
    this.bn = addChildBlock("bn", BatchNorm.builder().optEpsilon(epsilon).optMomentum(momentum).build());
    this.epsilon = epsilon;
    this.momentum = momentum;
  }

  @Override
  public void setMode(Quantization.Mode mode) {
    this.mode = mode;
  }

  void setBnFrozen(boolean frozen) {
    this.bnFrozen = frozen;
  }

  public boolean bnFrozen() {
    return bnFrozen;
  }

  /** The conv: its kernel, stride, padding, dilation and groups. */
  public Conv2d conv() {
    return conv;
  }

  public Parameter weight() {
    return conv.getParameters().get("weight");
  }

  Parameter bn(String name) {
    return bn.getParameters().get(name);
  }

  /** {@code gamma / sqrt(runningVar + eps)} per output channel, shape (C). */
  public NDArray foldScale(NDArray gamma, NDArray runningVar) {
    return gamma.div(runningVar.add(epsilon).sqrt());
  }

  /** The conv weight with the BatchNorm folded in, {@code w * s}, for evaluation and export. */
  public NDArray foldedWeight() {
    NDArray s = foldScale(bn("gamma").getArray(), bn("runningVar").getArray());
    NDArray w = weight().getArray();
    return w.mul(s.reshape(-1, 1, 1, 1));
  }

  /** The folded bias {@code beta - gamma * runningMean / sqrt(runningVar + eps)}. */
  public NDArray foldedBias() {
    NDArray s = foldScale(bn("gamma").getArray(), bn("runningVar").getArray());
    return bn("beta").getArray().sub(s.mul(bn("runningMean").getArray()));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    // Ops on the parameters would attach their results to the model's manager, which lives as long as
    // the model: the scope frees them (autograd keeps what the backward pass needs).
    // (The parameter store's values are taken outside it: on a second device they are its cached copies.)
    NDArray x = inputs.singletonOrThrow();
    var device = x.getDevice();
    NDArray w = ps.getValue(weight(), device, training);
    NDArray gamma = ps.getValue(bn("gamma"), device, training);
    NDArray beta = ps.getValue(bn("beta"), device, training);
    NDArray mean = ps.getValue(bn("runningMean"), device, training);
    NDArray var = ps.getValue(bn("runningVar"), device, training);
    try (NDScope scope = new NDScope()) {
      NDList out = forward(x, w, gamma, beta, mean, var, training);
      NDScope.unregister(out);
      return out;
    }
  }

  private NDList forward(NDArray x, NDArray w, NDArray gamma, NDArray beta, NDArray mean, NDArray var,
      boolean training) {
    boolean batchStats = training && !bnFrozen;
    NDArray y;
    if (mode.fakeQuant()) {
      NDArray s = foldScale(gamma, var);
      y = conv(x, FakeQuant.perChannelSymmetric(w.mul(s.reshape(-1, 1, 1, 1)))).div(s.reshape(1, -1, 1, 1));
    } else {
      y = conv(x, w);
    }
    return BatchNorm.batchNorm(y, mean, var, gamma, beta, 1, momentum, epsilon, batchStats);
  }

  private NDArray conv(NDArray x, NDArray w) {
    return Conv2d.conv2d(x, w, null, conv.getStride(), conv.getPadding(), conv.getDilation(), conv.getGroups())
        .singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return conv.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv.initialize(manager, dataType, inputShapes);
    bn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
  }
}
