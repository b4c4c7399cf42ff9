package io.mnpipe.deploy.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a local run did, stage by stage; written as JSON by {@code --json-summary}.
 * {@code ingested == decoded + dead_lettered} holds for the first epoch's pass over all splits.
 * With several models (fan-out), {@code models} has one entry each; the top-level training and
 * evaluation fields are those of the first.
 */
public record RunSummary(
    @JsonProperty("run_id") String runId,
    @JsonProperty("model") String model,
    @JsonProperty("epochs") int epochs,
    @JsonProperty("image_size") int imageSize,
    @JsonProperty("ingested") long ingested,
    @JsonProperty("ingest_rejected") long ingestRejected,
    @JsonProperty("decoded") long decoded,
    @JsonProperty("dead_lettered") long deadLettered,
    @JsonProperty("augmented_samples") long augmentedSamples,
    @JsonProperty("trained_samples") long trainedSamples,
    @JsonProperty("train_steps") long trainSteps,
    @JsonProperty("checkpoints") int checkpoints,
    @JsonProperty("evaluations") List<Evaluation> evaluations,
    @JsonProperty("final_top1") double finalTop1,
    @JsonProperty("chance_top1") double chanceTop1,
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("first_step_seconds") double firstStepSeconds,
    @JsonProperty("preprocess_end_seconds") double preprocessEndSeconds,
    @JsonProperty("broker_disk_peak_bytes") long brokerDiskPeakBytes,
    @JsonProperty("stage_seconds") StageSeconds stageSeconds,
    @com.fasterxml.jackson.annotation.JsonUnwrapped FlinkFigures flink,
    @JsonProperty("models") List<ModelRun> models) {

  /** One model trained from the run's stream: its own run id (checkpoints, trainer group), training and evaluations. */
  public record ModelRun(@JsonProperty("model") String model, @JsonProperty("run_id") String runId,
      @JsonProperty("trained_samples") long trainedSamples, @JsonProperty("train_steps") long trainSteps,
      @JsonProperty("checkpoints") int checkpoints, @JsonProperty("evaluations") List<Evaluation> evaluations,
      @JsonProperty("final_top1") double finalTop1, @JsonProperty("first_step_seconds") double firstStepSeconds,
      @JsonProperty("train_seconds") double trainSeconds) {}

  /**
   * The preprocess job's checkpoints and restarts, from Flink's REST API. A checkpoint declined by
   * a task that was finishing (a bounded pass ending) is not a failure: Flink does not count it
   * against the tolerable failures either; nor is one Flink could not start because not every task
   * was running yet.
   */
  public record FlinkFigures(@JsonProperty("flink_checkpoints_completed") long checkpointsCompleted,
      @JsonProperty("flink_checkpoints_failed") long checkpointsFailed,
      @JsonProperty("flink_checkpoints_declined_by_ending_tasks") long checkpointsDeclinedByEndingTasks,
      @JsonProperty("flink_checkpoints_not_started") long checkpointsNotStarted,
      @JsonProperty("flink_restarts") long restarts,
      @JsonProperty("checkpoint_bytes_max") long checkpointBytesMax,
      @JsonProperty("checkpoint_ms_max") long checkpointMsMax) {}

  /**
   * One evaluation result: checkpoint id, top-1 and top-5 accuracy in [0, 1], the precision they
   * were measured in (int8 for a QAT checkpoint), and for int8 the same weights' float top-1 (else null).
   */
  public record Evaluation(@JsonProperty("checkpoint") String checkpoint, @JsonProperty("top1") double top1,
      @JsonProperty("top5") double top5, @JsonProperty("precision") String precision,
      @JsonProperty("float_top1") Double floatTop1) {}

  /** Wall time per stage; the stages overlap (preprocess, train and evaluate run together). */
  public record StageSeconds(@JsonProperty("ingest") double ingest, @JsonProperty("preprocess") double preprocess,
      @JsonProperty("train") double train, @JsonProperty("evaluate") double evaluate) {}

  public void writeJson(Path file) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
  }

  /** The human summary printed at the end of a run. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("run %s: %s, %d epoch(s) at %dx%d%n", runId, model, epochs, imageSize, imageSize));
    s.append(String.format("  ingest      %6d images published, %d refused%n", ingested, ingestRejected));
    s.append(String.format("  preprocess  %6d decoded, %d dead-lettered (%d augmented samples over all epochs)%n",
        decoded, deadLettered, augmentedSamples));
    s.append(String.format("  flink       %6d checkpoints, %d failed (largest %s, longest %d ms), %d restart(s)%n",
        flink.checkpointsCompleted(), flink.checkpointsFailed(), flink.checkpointBytesMax() < 1e6
            ? String.format("%.0f KB", flink.checkpointBytesMax() / 1e3)
            : String.format("%.1f MB", flink.checkpointBytesMax() / 1e6), flink.checkpointMsMax(), flink.restarts()));
    for (ModelRun m : models) {
      s.append(String.format("  train       %6d samples in %d steps, %d checkpoint(s)%s%n", m.trainedSamples(),
          m.trainSteps(), m.checkpoints(), models.size() > 1 ? ": " + m.model() + " (run " + m.runId() + ")" : ""));
      for (Evaluation e : m.evaluations()) {
        s.append(String.format("  evaluate    %s: %stop-1 %.1f%%, top-5 %.1f%%%s%n", e.checkpoint(),
            e.floatTop1() == null ? "" : "int8 ", 100 * e.top1(), 100 * e.top5(),
            e.floatTop1() == null ? "" : String.format(" (float top-1 %.1f%%)", 100 * e.floatTop1())));
      }
      if (models.size() > 1) {
        s.append(String.format("  final       %s: top-1 %.1f%%, first step at %.0f s%n", m.model(), 100 * m.finalTop1(),
            m.firstStepSeconds()));
      }
    }
    s.append(String.format("  final top-1 %.1f%% (chance %.1f%%), %.0f s wall (ingest %.0f, preprocess %.0f, train %.0f,"
        + " evaluate %.0f; first step at %.0f s, preprocess done at %.0f s)", 100 * finalTop1, 100 * chanceTop1,
        wallSeconds, stageSeconds.ingest(), stageSeconds.preprocess(), stageSeconds.train(), stageSeconds.evaluate(),
        firstStepSeconds, preprocessEndSeconds));
    return s.toString();
  }
}
