package io.mnpipe.trainer;

import io.mnpipe.models.checkpoint.Checkpoint;
import java.util.List;

/**
 * What a training run did, for the caller and tests.
 *
 * @param runId the run
 * @param model canonical model name
 * @param samplesTrained samples that went through an optimizer step in this attempt
 * @param steps optimizer steps of the run so far, including those before a resume
 * @param checkpoints checkpoints written, oldest first; the last one is the final one
 * @param lastLoss loss of the last step (NaN with no steps)
 * @param skipped samples skipped: wrong shape, label out of range, or undecodable record
 * @param dropped samples of a final batch too small to train on (fewer than 2)
 * @param imagesPerSecond samplesTrained over the training wall time
 * @param dataWaitRatio share of that time the training thread waited for batches
 * @param seconds wall time from the first step to the end
 * @param stopReason why it ended: end of input, maxSteps, maxMinutes, stopped
 * @param resumedFromStep step of the checkpoint this attempt continued from; 0 for a fresh run
 */
public record TrainResult(String runId, String model, long samplesTrained, long steps, List<Checkpoint> checkpoints,
    double lastLoss, long skipped, long dropped, double imagesPerSecond, double dataWaitRatio, double seconds,
    String stopReason, long resumedFromStep) {
  public TrainResult {
    checkpoints = List.copyOf(checkpoints);
  }
}
