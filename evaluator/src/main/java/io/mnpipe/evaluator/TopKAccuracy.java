package io.mnpipe.evaluator;

/**
 * Logits and labels in, running top-1 / top-5 accuracy and mean cross-entropy out. Pure arithmetic
 * on float arrays, so it is tested without a model. With fewer than 5 classes top-5 counts every
 * sample as correct, as torchvision's accuracy(topk=(1, 5)) would with k clipped to the classes.
 */
public final class TopKAccuracy {
  private long samples;
  private long top1;
  private long top5;
  private double lossSum;

  /**
   * Adds {@code n} samples.
   *
   * @param logits row-major (n, numClasses)
   * @param labels true class of each row (length >= n), in [0, numClasses)
   */
  public void add(float[] logits, int numClasses, int[] labels, int n) {
    if (logits.length < (long) n * numClasses || labels.length < n) {
      throw new IllegalArgumentException("need " + n + " x " + numClasses + " logits and " + n + " labels, got "
          + logits.length + " and " + labels.length);
    }
    for (int i = 0; i < n; i++) {
      int label = labels[i];
      if (label < 0 || label >= numClasses) {
        throw new IllegalArgumentException("label " + label + " of row " + i + " outside [0, " + numClasses + ")");
      }
      int base = i * numClasses;
      float truth = logits[base + label];
      int higher = 0;
      float max = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < numClasses; k++) {
        float v = logits[base + k];
        if (v > truth) {
          higher++;
        }
        max = Math.max(max, v);
      }
      // Ties count in the sample's favour: a true class level with the best is a top-1 hit.
      top1 += higher < 1 ? 1 : 0;
      top5 += higher < 5 ? 1 : 0;
      double sumExp = 0;
      for (int k = 0; k < numClasses; k++) {
        sumExp += Math.exp(logits[base + k] - max);
      }
      lossSum += max + Math.log(sumExp) - truth; // -log softmax(truth), stable
      samples++;
    }
  }

  public long samples() {
    return samples;
  }

  /** Fraction of samples whose true class scored highest, in [0, 1]; NaN with no samples. */
  public double top1() {
    return samples == 0 ? Double.NaN : (double) top1 / samples;
  }

  /** Fraction of samples whose true class is among the 5 highest scores. */
  public double top5() {
    return samples == 0 ? Double.NaN : (double) top5 / samples;
  }

  /** Mean cross-entropy (no label smoothing). */
  public double meanLoss() {
    return samples == 0 ? Double.NaN : lossSum / samples;
  }
}
