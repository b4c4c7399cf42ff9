package io.mnpipe.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Gradients in, updated weights out: SGD with momentum whose weight decay skips BatchNorm gamma/beta
 * and biases (MindCV's V2 recipe; decaying them only shrinks the normalisation). Momentum follows
 * DJL/MXNet: state = m*state + lr*(grad + wd*w); w -= state (the engine's fused kernel), or with
 * Nesterov w -= m*state + lr*(grad + wd*w). The LR comes from the schedule at the trainer's step, not
 * from a per-parameter update count, so a resumed run picks the schedule up where it was; the
 * momentum buffers can be saved and loaded by parameter name ({@link #saveState}, {@link #loadState}).
 * Data-parallel over several devices, each device keeps its own copy of weights and momentum and
 * applies the same summed gradient; a saved state is the parameter's own device's, and a resumed
 * run starts every other device from a copy of the loaded buffers, so the copies stay equal.
 */
public final class DecayMaskedSgd extends Optimizer {
  private final Tracker learningRate;
  private final LongSupplier step;
  private final float momentum;
  private final float weightDecay;
  private final boolean nesterov;
  private final Set<String> noDecay;
  private final Map<String, String> names;
  private final Map<String, Parameter> params;
  private final Map<String, Map<Device, NDArray>> states = new ConcurrentHashMap<>();
  /** Loaded buffers, as loaded, for devices that have not started theirs yet. */
  private final Map<String, NDArray> loaded = new ConcurrentHashMap<>();

  private DecayMaskedSgd(Tracker learningRate, LongSupplier step, float momentum, float weightDecay,
      boolean nesterov, Set<String> noDecay, Map<String, String> names, Map<String, Parameter> params) {
    super(new Builder());
    this.learningRate = learningRate;
    this.step = step;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.noDecay = noDecay;
    this.names = names;
    this.params = params;
  }

  /**
   * An optimizer for {@code block}'s parameters, which must exist already (they do once built).
   *
   * @param step 0-based index of the step being taken; the LR is {@code learningRate(step + 1)}
   */
  public static DecayMaskedSgd forBlock(Block block, Tracker learningRate, float momentum, float weightDecay,
      boolean nesterov, LongSupplier step) {
    Set<String> noDecay = new HashSet<>();
    Map<String, String> names = new LinkedHashMap<>();
    Map<String, Parameter> params = new HashMap<>();
    for (Pair<String, Parameter> e : block.getParameters()) {
      Parameter p = e.getValue();
      names.put(p.getId(), e.getKey());
      params.put(p.getId(), p);
      Parameter.Type t = p.getType();
      if (t == Parameter.Type.BIAS || t == Parameter.Type.GAMMA || t == Parameter.Type.BETA) {
        noDecay.add(p.getId());
      }
    }
    return new DecayMaskedSgd(learningRate, step, momentum, weightDecay, nesterov, Set.copyOf(noDecay),
        Map.copyOf(names), Map.copyOf(params));
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    float lr = learningRate.getNewValue((int) Math.min(Integer.MAX_VALUE, step.getAsLong() + 1));
    float wd = noDecay.contains(parameterId) ? 0f : weightDecay;
    if (momentum == 0f) {
      weight.getNDArrayInternal().sgdUpdate(new NDList(weight, grad), new NDList(weight), lr, wd, rescaleGrad,
          clipGrad, 0f, true);
      return;
    }
    NDArray state = withDefaultState(states, parameterId, weight.getDevice(), k -> initialState(parameterId, weight));
    if (!nesterov) {
      weight.getNDArrayInternal().sgdUpdate(new NDList(weight, grad, state), new NDList(weight), lr, wd,
          rescaleGrad, clipGrad, momentum, true);
      return;
    }
    try (NDScope scope = new NDScope()) { // frees the temporaries; weight and state change in place
      NDArray delta = grad.mul(rescaleGrad).addi(weight.mul(wd)).muli(lr);
      state.muli(momentum).addi(delta);
      weight.subi(state.mul(momentum).addi(delta));
    }
  }

  /** Zeros, or on a resumed run a copy of the loaded momentum on the weight's device. */
  private NDArray initialState(String parameterId, NDArray weight) {
    NDArray l = loaded.get(parameterId);
    return l == null ? weight.zerosLike() : l.toDevice(weight.getDevice(), true);
  }

  /** Parameters exempt from weight decay. */
  public int noDecayCount() {
    return noDecay.size();
  }

  /**
   * Writes the momentum buffers, each named by its parameter's path in the block: those on the
   * parameter's own device (the copies on other devices are equal to them).
   */
  public void saveState(OutputStream out) throws IOException {
    NDList list = new NDList();
    for (Map.Entry<String, Map<Device, NDArray>> e : states.entrySet()) {
      Parameter p = params.get(e.getKey());
      Map<Device, NDArray> byDevice = e.getValue();
      NDArray a = p != null && p.isInitialized() && byDevice.containsKey(p.getArray().getDevice())
          ? byDevice.get(p.getArray().getDevice()) : byDevice.values().iterator().next();
      a.setName(names.get(e.getKey()));
      list.add(a);
    }
    list.encode(out);
  }

  /**
   * Reads buffers written by {@link #saveState} for the same model into {@code manager}, before the
   * first update; {@code devices} is how many devices will train (above 1, each other device starts
   * from a kept copy of the loaded buffers).
   */
  public void loadState(InputStream in, NDManager manager, int devices) {
    Map<String, String> ids = new HashMap<>();
    names.forEach((id, name) -> ids.put(name, id));
    NDList list = NDList.decode(manager, in);
    for (NDArray a : list) {
      String id = ids.get(a.getName());
      Parameter p = id == null ? null : params.get(id);
      if (p == null || (p.isInitialized() && !p.getArray().getShape().equals(a.getShape()))) {
        throw new IllegalStateException("optimizer state for parameter '" + a.getName() + "' " + a.getShape()
            + " does not fit this model" + (p == null ? "" : "'s " + p.getArray().getShape())
            + ": the checkpoint belongs to another model");
      }
      Map<Device, NDArray> byDevice = new ConcurrentHashMap<>();
      byDevice.put(manager.getDevice(), a);
      states.put(id, byDevice);
      if (devices > 1) {
        loaded.put(id, a.duplicate()); // updates change a in place; other devices start from the loaded value
      }
    }
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
