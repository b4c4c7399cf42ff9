package io.mnpipe.trainer.recipe;

import io.mnpipe.trainer.TrainerConfig;

/**
 * A training recipe as MindCV publishes it (ImageNet-1k on {@code numDevices} devices), and what it
 * makes of a {@link TrainerConfig}: SGD with momentum, linear warmup then cosine decay to 0, label
 * smoothing, no weight decay on BatchNorm and biases, the LR scaled linearly with the global batch.
 *
 * @param name recipe name (its file name without .yaml)
 * @param model canonical model name it was tuned for
 * @param numDevices devices of the reference run (8)
 * @param batchSize batch per device of the reference run
 * @param epochs epochs of the reference run
 * @param imageSize training crop side
 * @param lr peak LR for the reference global batch numDevices * batchSize
 * @param warmupEpochs linear warmup
 * @param weightDecay L2 on conv and linear weights
 * @param momentum SGD momentum
 * @param nesterov Nesterov momentum
 * @param labelSmoothing label smoothing of the cross-entropy
 * @param colorJitter brightness/contrast/saturation jitter preprocess should apply (0 = none)
 * @param quantizationAware fine-tune with quantization-aware training (needs a float checkpoint to start from)
 * @param freezeBnEpoch with QAT, the epoch from which BatchNorm statistics are frozen; 0 = never
 */
public record Recipe(String name, String model, int numDevices, int batchSize, int epochs, int imageSize, double lr,
    double warmupEpochs, double weightDecay, double momentum, boolean nesterov, double labelSmoothing,
    double colorJitter, boolean quantizationAware, int freezeBnEpoch) {

  public Recipe {
    if (numDevices < 1 || batchSize < 1 || epochs < 1 || imageSize < 32 || !(lr > 0) || warmupEpochs < 0
        || weightDecay < 0 || momentum < 0 || momentum >= 1 || labelSmoothing < 0 || labelSmoothing >= 1
        || colorJitter < 0 || freezeBnEpoch < 0 || (freezeBnEpoch > 0 && !quantizationAware)) {
      throw new IllegalArgumentException("recipe " + name + " has a value out of range: " + this);
    }
  }

  /** The peak LR for {@code globalBatch} samples per step: linear scaling from the reference batch. */
  public double lrFor(int globalBatch) {
    return lr * globalBatch / ((double) numDevices * batchSize);
  }

  /**
   * Applies the recipe to {@code b} for a global batch of {@code globalBatch}: batch size, epochs,
   * scaled LR, warmup, weight decay, momentum, Nesterov, label smoothing and input size. Settings
   * given afterwards win.
   */
  public TrainerConfig.Builder configure(TrainerConfig.Builder b, int globalBatch) {
    return b.recipe(name).batchSize(globalBatch).epochs(epochs).lr(lrFor(globalBatch)).warmupEpochs(warmupEpochs)
        .weightDecay(weightDecay).momentum(momentum).nesterov(nesterov).labelSmoothing(labelSmoothing)
        .imageSize(imageSize).qat(quantizationAware).freezeBnEpoch(freezeBnEpoch);
  }
}
