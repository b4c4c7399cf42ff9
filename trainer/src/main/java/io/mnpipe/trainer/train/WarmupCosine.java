package io.mnpipe.trainer.train;

import ai.djl.training.tracker.Tracker;

/**
 * An update count in, a learning rate out: linear warmup to the peak, then cosine decay to 0 at
 * {@code totalSteps} (MindCV's recipes). With totalSteps unknown (0) the rate stays at the peak
 * after warmup, since a cosine needs a horizon.
 */
public final class WarmupCosine implements Tracker {
  private final float peak;
  private final int warmupSteps;
  private final long totalSteps;

  public WarmupCosine(float peak, int warmupSteps, long totalSteps) {
    if (!(peak > 0) || warmupSteps < 0 || totalSteps < 0) {
      throw new IllegalArgumentException("need peak > 0, warmupSteps >= 0, totalSteps >= 0");
    }
    this.peak = peak;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  /** @param numUpdate 1-based update number, as DJL's optimizers count */
  @Override
  public float getNewValue(int numUpdate) {
    return at(numUpdate - 1L);
  }

  /** Rate of 0-based step {@code step}. */
  public float at(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    if (totalSteps <= warmupSteps) {
      return peak;
    }
    double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
    return (float) (peak * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }

  public float peak() {
    return peak;
  }

  public int warmupSteps() {
    return warmupSteps;
  }

  public long totalSteps() {
    return totalSteps;
  }
}
