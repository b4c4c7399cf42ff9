package io.mnpipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The TorchScript activations against their definitions, values and gradients, inside and outside a collector. */
class FusedActivationsTest {
  /** Both sides of each kink and far out; not the kinks themselves, where the subgradient is a convention. */
  private static final float[] X = {-9f, -3.5f, -2.9f, -1f, -0.1f, 0.1f, 1f, 2.9f, 3.1f, 5.9f, 6.1f, 12f};

  @Test
  void theFusedOpsAreInUseOnPyTorch() {
    assertTrue(FusedActivations.fused(), "the TorchScript modules load on the PyTorch engine");
  }

  @Test
  void relu6MatchesItsDefinitionAndGradient() {
    check(FusedActivations::relu6, x -> Math.min(6f, Math.max(0f, x)), x -> x > 0f && x < 6f ? 1f : 0f);
    check(FusedActivations::composedRelu6, x -> Math.min(6f, Math.max(0f, x)), x -> x > 0f && x < 6f ? 1f : 0f);
  }

  @Test
  void hardSwishAndHardSigmoidMatchTheirDefinitionsAndGradients() {
    check(FusedActivations::hardSwish, x -> x * Math.min(6f, Math.max(0f, x + 3f)) / 6f,
        x -> x < -3f ? 0f : x > 3f ? 1f : (2f * x + 3f) / 6f);
    check(FusedActivations::hardSigmoid, x -> Math.min(6f, Math.max(0f, x + 3f)) / 6f,
        x -> x > -3f && x < 3f ? 1f / 6f : 0f);
    // The compositions used off PyTorch or with -Dmnpipe.fused-activations=false.
    check(FusedActivations::composedHardSwish, x -> x * Math.min(6f, Math.max(0f, x + 3f)) / 6f,
        x -> x < -3f ? 0f : x > 3f ? 1f : (2f * x + 3f) / 6f);
    check(FusedActivations::composedHardSigmoid, x -> Math.min(6f, Math.max(0f, x + 3f)) / 6f,
        x -> x > -3f && x < 3f ? 1f / 6f : 0f);
  }

  /**
   * The trainer and the in-process evaluator run the same activations at once, one thread with
   * autograd on, the other off. Each thread's values and gradients stay its own.
   */
  @Test
  void concurrentTrainingAndEvaluationThreadsGetTheirOwnResults() throws Exception {
    int rounds = 300;
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    Runnable train = () -> {
      try {
        for (int r = 0; r < rounds && failure.get() == null; r++) {
          check(FusedActivations::hardSwish, x -> x * Math.min(6f, Math.max(0f, x + 3f)) / 6f,
              x -> x < -3f ? 0f : x > 3f ? 1f : (2f * x + 3f) / 6f);
          check(FusedActivations::relu6, x -> Math.min(6f, Math.max(0f, x)), x -> x > 0f && x < 6f ? 1f : 0f);
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    };
    Runnable evaluate = () -> {
      try (NDManager m = NDManager.newBaseManager()) {
        for (int r = 0; r < 4 * rounds && failure.get() == null; r++) {
          try (NDManager s = m.newSubManager()) {
            NDArray x = s.randomNormal(new ai.djl.ndarray.types.Shape(8, 16, 8, 8)).mul(4f);
            float[] in = x.toFloatArray();
            float[] out = FusedActivations.relu6(x).toFloatArray();
            for (int i = 0; i < in.length; i++) {
              float want = Math.min(6f, Math.max(0f, in[i]));
              if (Math.abs(out[i] - want) > 1e-6f) {
                throw new AssertionError("evaluation thread: relu6(" + in[i] + ") = " + out[i]);
              }
            }
          }
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    };
    Thread a = new Thread(train, "train");
    Thread b = new Thread(evaluate, "evaluate");
    a.start();
    b.start();
    a.join();
    b.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  private interface F {
    float at(float x);
  }

  private static void check(UnaryOperator<NDArray> op, F value, F gradient) {
    float[] want = new float[X.length];
    float[] dwant = new float[X.length];
    for (int i = 0; i < X.length; i++) {
      want[i] = value.at(X[i]);
      dwant[i] = gradient.at(X[i]);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(X);
      NDArray y = op.apply(x);
      assertSame(m, y.getManager(), "the output lives where the input does (sub-manager scopes free it)");
      assertArrayEquals(want, y.toFloatArray(), 1e-6f, "outside a gradient collector");
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = op.apply(x);
        assertArrayEquals(want, out.toFloatArray(), 1e-6f);
        gc.backward(out.sum());
      }
      assertArrayEquals(dwant, x.getGradient().toFloatArray(), 1e-6f, "gradient");
    }
  }
}
