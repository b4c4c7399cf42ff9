package io.mnpipe.models.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a quantized model does on its next forward passes, set on every quantizing block of it at
 * once, and the moves between a float model and its quantized twin.
 */
public final class Quantization {
  private Quantization() {}

  /** The states a quantized model runs in. */
  public enum Mode {
    /** QAT: fake-quantize weights and activations; activation ranges follow an EMA of training batches. */
    QAT(true),
    /** Post-training calibration: float forward passes; ranges are the running min/max of all batches. */
    CALIBRATE(false),
    /** Simulated int8 evaluation: fake-quantize with frozen ranges. */
    INT8_EVAL(true),
    /** The same weights in float: conv + BatchNorm, no rounding anywhere. */
    FLOAT_EVAL(false);

    private final boolean fakeQuant;

    Mode(boolean fakeQuant) {
      this.fakeQuant = fakeQuant;
    }

    public boolean fakeQuant() {
      return fakeQuant;
    }

    /** Whether activation ranges change on a forward pass in this mode ({@code training}: QAT only then). */
    boolean observes(boolean training) {
      return this == CALIBRATE || (this == QAT && training);
    }
  }

  /** A block whose forward pass depends on the {@link Mode} its model is in. */
  public interface Quantizing {
    void setMode(Mode mode);
  }

  /** Sets {@code mode} on every quantizing block under {@code root}; returns how many there are. */
  public static int configure(Block root, Mode mode) {
    List<Quantizing> blocks = blocks(root, Quantizing.class);
    blocks.forEach(b -> b.setMode(mode));
    return blocks.size();
  }

  /** Whether {@code root} has quantizing blocks (was built quantized). */
  public static boolean isQuantized(Block root) {
    return !blocks(root, FoldedConvBatchNorm.class).isEmpty();
  }

  /**
   * Freezes (or thaws) the BatchNorm statistics of every folded conv: frozen, training uses and
   * keeps the running mean and variance, as the late epochs of a QAT recipe do.
   */
  public static void freezeBatchNorm(Block root, boolean frozen) {
    for (FoldedConvBatchNorm c : blocks(root, FoldedConvBatchNorm.class)) {
      c.setBnFrozen(frozen);
    }
  }

  /** Activation quantizers that have not seen a batch yet (their range is unset). */
  public static int unobserved(Block root) {
    int n = 0;
    for (ActivationQuantizer a : blocks(root, ActivationQuantizer.class)) {
      if (a.range().getArray().getFloat(2) == 0f) {
        n++;
      }
    }
    return n;
  }

  /**
   * Copies the weights and BatchNorm statistics of an initialised float model into its initialised
   * quantized twin (same model, same classes): their parameters come in the same order once the
   * quantizers' ranges are left out. The ranges start unset; the first QAT or calibration batch sets them.
   */
  public static void copyFloatWeights(Block floatModel, Block quantized) {
    List<Pair<String, Parameter>> from = floatModel.getParameters().stream()
        .filter(p -> p.getValue().getType() != Parameter.Type.OTHER).toList();
    List<Pair<String, Parameter>> to = quantized.getParameters().stream()
        .filter(p -> p.getValue().getType() != Parameter.Type.OTHER).toList();
    if (from.size() != to.size()) {
      throw new IllegalArgumentException("the float model has " + from.size() + " parameters, its quantized twin "
          + to.size() + ": not the same model");
    }
    for (int i = 0; i < from.size(); i++) {
      NDArray src = from.get(i).getValue().getArray();
      NDArray dst = to.get(i).getValue().getArray();
      if (!src.getShape().equals(dst.getShape()) || from.get(i).getValue().getType() != to.get(i).getValue().getType()) {
        throw new IllegalArgumentException("parameter " + from.get(i).getKey() + " " + src.getShape()
            + " does not fit " + to.get(i).getKey() + " " + dst.getShape() + ": not the same model");
      }
      dst.set(src.toFloatArray());
    }
  }

  /** Every block of type {@code type} under {@code root}, in forward order. */
  public static <T> List<T> blocks(Block root, Class<T> type) {
    List<T> out = new ArrayList<>();
    walk(root, b -> {
      if (type.isInstance(b)) {
        out.add(type.cast(b));
      }
    });
    return out;
  }

  private static void walk(Block b, Consumer<Block> visit) {
    visit.accept(b);
    for (Pair<String, Block> c : b.getChildren()) {
      walk(c.getValue(), visit);
    }
  }
}
