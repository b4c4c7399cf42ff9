package io.mnpipe.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gradients in, updated weights out: SGD with momentum whose weight decay skips BatchNorm gamma/beta
 * and biases (MindCV's V2 recipe; decaying them only shrinks the normalisation). Uses the engine's
 * fused SGD kernel. Momentum follows DJL/MXNet: state = m*state + lr*grad; weight -= state.
 */
public final class DecayMaskedSgd extends Optimizer {
  private final Tracker learningRate;
  private final float momentum;
  private final float weightDecay;
  private final Set<String> noDecay;
  private final Map<String, Map<Device, NDArray>> states = new ConcurrentHashMap<>();

  private DecayMaskedSgd(Builder b, Tracker learningRate, float momentum, float weightDecay, Set<String> noDecay) {
    super(b);
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.noDecay = noDecay;
  }

  /** An optimizer for {@code block}'s parameters, which must exist already (they do once built). */
  public static DecayMaskedSgd forBlock(Block block, Tracker learningRate, float momentum, float weightDecay) {
    Set<String> noDecay = new HashSet<>();
    for (Parameter p : block.getParameters().values()) {
      Parameter.Type t = p.getType();
      if (t == Parameter.Type.BIAS || t == Parameter.Type.GAMMA || t == Parameter.Type.BETA) {
        noDecay.add(p.getId());
      }
    }
    return new DecayMaskedSgd(new Builder(), learningRate, momentum, weightDecay, Set.copyOf(noDecay));
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    float lr = learningRate.getNewValue(updateCount(parameterId));
    float wd = noDecay.contains(parameterId) ? 0f : weightDecay;
    NDList inputs = momentum == 0f ? new NDList(weight, grad)
        : new NDList(weight, grad, withDefaultState(states, parameterId, weight.getDevice(), k -> weight.zerosLike()));
    weight.getNDArrayInternal().sgdUpdate(inputs, new NDList(weight), lr, wd, rescaleGrad, clipGrad, momentum, true);
  }

  /** Parameters exempt from weight decay. */
  public int noDecayCount() {
    return noDecay.size();
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
