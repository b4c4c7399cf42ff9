package io.mnpipe.models;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ReLU6, hard-swish and hard-sigmoid as libtorch's own fused ops, forward and backward. DJL binds
 * none of them, and composing them from ops it binds costs several memory passes each way: clamp
 * and minimum are differentiated through comparison masks and where() (MobileNetV2 at 224 on 2
 * cores: 742 ms of a 1.8 s step), two relus still 4x the fused op (142 ms against 29 ms fwd+bwd on
 * a 32x96x112x112 tensor). So each is a tiny TorchScript module (src/main/torchscript/activations.py
 * writes them) run through DJL's TorchScript support; autograd records the fused op's backward. On
 * another engine, or with {@code -Dmnpipe.fused-activations=false}, the compositions are used:
 * same values, same gradients, slower.
 */
public final class FusedActivations {
  private static final Logger LOG = LoggerFactory.getLogger(FusedActivations.class);
  private static volatile Modules modules;

  private FusedActivations() {}

  private record Modules(PtSymbolBlock relu6, PtSymbolBlock hardSwish, PtSymbolBlock hardSigmoid) {}

  /** {@code min(max(x, 0), 6)}. */
  public static NDArray relu6(NDArray x) {
    Modules m = modules();
    return m != null ? run(m.relu6(), x) : composedRelu6(x);
  }

  /** {@code x * relu6(x + 3) / 6} (Howard et al. 2019, eq. 2). */
  public static NDArray hardSwish(NDArray x) {
    Modules m = modules();
    return m != null ? run(m.hardSwish(), x) : composedHardSwish(x);
  }

  /** {@code relu6(x + 3) / 6}, PyTorch's F.hardsigmoid (not Keras' 0.2x + 0.5). */
  public static NDArray hardSigmoid(NDArray x) {
    Modules m = modules();
    return m != null ? run(m.hardSigmoid(), x) : composedHardSigmoid(x);
  }

  /** Whether the fused ops are in use (false: the compositions). */
  public static boolean fused() {
    return modules() != null;
  }

  /** {@code relu(x) - relu(x - 6)}: of the compositions, the one with the cheapest backward (relu's). */
  static NDArray composedRelu6(NDArray x) {
    return Activation.relu(x).sub(Activation.relu(x.sub(6f)));
  }

  static NDArray composedHardSwish(NDArray x) {
    return composedRelu6(x.add(3f)).mul(x).div(6f);
  }

  static NDArray composedHardSigmoid(NDArray x) {
    return composedRelu6(x.add(3f)).div(6f);
  }

  private static NDArray run(PtSymbolBlock module, NDArray x) {
    // training=true: the op runs under the caller's grad mode (on in a gradient collector, off in eval).
    return IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
  }

  private static Modules modules() {
    Modules m = modules;
    if (m == null && Boolean.parseBoolean(System.getProperty("mnpipe.fused-activations", "true"))) {
      synchronized (FusedActivations.class) {
        if (modules == null) {
          modules = load();
        }
        m = modules;
      }
    }
    return m != null && m.relu6() != null ? m : null;
  }

  /** The three modules, or a record of nulls (so that loading is tried once) when it cannot be done. */
  private static Modules load() {
    Engine engine = Engine.getInstance();
    if (!"PyTorch".equals(engine.getEngineName())) {
      return new Modules(null, null, null);
    }
    try {
      // Lives as long as the process: the modules hold no weights, only their graphs.
      NDManager manager = engine.newBaseManager();
      return new Modules(module(manager, "relu6"), module(manager, "hardswish"), module(manager, "hardsigmoid"));
    } catch (Exception | UnsatisfiedLinkError e) {
      LOG.warn("fused activations unavailable ({}); using compositions of relu, slower", e.toString());
      return new Modules(null, null, null);
    }
  }

  private static PtSymbolBlock module(NDManager manager, String name) throws Exception {
    try (InputStream in = FusedActivations.class.getResourceAsStream(name + ".pt")) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + ".pt missing");
      }
      PtSymbolBlock block = JniUtils.loadModule((PtNDManager) manager, in, true, false);
      JniUtils.enableTrainingMode(block);
      return block;
    }
  }
}
