package io.mnpipe.models.checkpoint;

import java.time.Instant;
import java.util.Properties;

/**
 * What a checkpoint is, beside its weights: enough to rebuild the block (model, classes, input
 * size) and to place it in its run (step, epoch, loss, whether it is the run's last).
 *
 * @param model canonical model name
 * @param numClasses classifier outputs
 * @param imageSize square input side the model was trained at
 * @param runId the run it belongs to
 * @param step optimizer steps taken
 * @param epoch highest input epoch trained on
 * @param trainLoss training loss of the last step
 * @param samplesSeen samples trained on so far
 * @param isFinal true for the checkpoint written when the run ended
 * @param time when it was written
 * @param quantized the weights are a QAT model's (its QAT form, with activation ranges, loads them)
 * @param bnFrozen of a QAT model: its BatchNorm statistics were frozen when it was written
 */
public record CheckpointMeta(String model, int numClasses, int imageSize, String runId, long step, int epoch,
    double trainLoss, long samplesSeen, boolean isFinal, Instant time, boolean quantized, boolean bnFrozen) {

  /** A float model's checkpoint. */
  public CheckpointMeta(String model, int numClasses, int imageSize, String runId, long step, int epoch,
      double trainLoss, long samplesSeen, boolean isFinal, Instant time) {
    this(model, numClasses, imageSize, runId, step, epoch, trainLoss, samplesSeen, isFinal, time, false, false);
  }

  /** Checkpoint id, the key of its evaluation results: {@code runId/step}. */
  public String id() {
    return id(runId, step);
  }

  /** The id of step {@code step} of run {@code runId}, e.g. as a checkpoint event names it. */
  public static String id(String runId, long step) {
    return runId + "/" + step;
  }

  Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("model", model);
    p.setProperty("numClasses", String.valueOf(numClasses));
    p.setProperty("imageSize", String.valueOf(imageSize));
    p.setProperty("runId", runId);
    p.setProperty("step", String.valueOf(step));
    p.setProperty("epoch", String.valueOf(epoch));
    p.setProperty("trainLoss", String.valueOf(trainLoss));
    p.setProperty("samplesSeen", String.valueOf(samplesSeen));
    p.setProperty("final", String.valueOf(isFinal));
    p.setProperty("time", time.toString());
    p.setProperty("quantization", quantized ? "qat-int8" : "none");
    p.setProperty("bnFrozen", String.valueOf(bnFrozen));
    return p;
  }

  static CheckpointMeta fromProperties(Properties p, String where) {
    try {
      return new CheckpointMeta(req(p, "model", where), Integer.parseInt(req(p, "numClasses", where)),
          Integer.parseInt(req(p, "imageSize", where)), req(p, "runId", where), Long.parseLong(req(p, "step", where)),
          Integer.parseInt(p.getProperty("epoch", "0")), Double.parseDouble(p.getProperty("trainLoss", "NaN")),
          Long.parseLong(p.getProperty("samplesSeen", "0")), Boolean.parseBoolean(p.getProperty("final", "false")),
          Instant.parse(p.getProperty("time", Instant.EPOCH.toString())), quantized(p),
          Boolean.parseBoolean(p.getProperty("bnFrozen", "false")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("checkpoint metadata " + where + " is malformed: " + e.getMessage(), e);
    }
  }

  private static boolean quantized(Properties p) {
    String q = p.getProperty("quantization", "none");
    if (!q.equals("none") && !q.equals("qat-int8")) {
      throw new IllegalArgumentException("quantization '" + q + "' is not known (none or qat-int8)");
    }
    return q.equals("qat-int8");
  }

  private static String req(Properties p, String key, String where) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing '" + key + "'");
    }
    return v;
  }
}
