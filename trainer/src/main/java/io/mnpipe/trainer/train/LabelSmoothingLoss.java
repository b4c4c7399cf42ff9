package io.mnpipe.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Labels (int64, N) and logits (N, K) in, mean cross-entropy against smoothed targets out:
 * (1 - eps) on the true class plus eps/K spread over all classes, as torch's
 * CrossEntropyLoss(label_smoothing=eps). eps = 0 is plain cross-entropy.
 */
public final class LabelSmoothingLoss extends Loss {
  private final float epsilon;

  public LabelSmoothingLoss(float epsilon) {
    super("label_smoothing_ce");
    if (!(epsilon >= 0 && epsilon < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + epsilon);
    }
    this.epsilon = epsilon;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow();
    int classes = (int) logits.getShape().get(1);
    NDArray logp = logits.logSoftmax(1);
    NDArray target = labels.singletonOrThrow().oneHot(classes).mul(1 - epsilon).add(epsilon / classes);
    return logp.mul(target).sum(new int[] {1}).mean().neg();
  }
}
