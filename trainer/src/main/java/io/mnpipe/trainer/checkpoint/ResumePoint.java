package io.mnpipe.trainer.checkpoint;

import io.mnpipe.models.checkpoint.Checkpoint;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A run folder in, the checkpoint its run continues from out: the newest one, with its metadata
 * and resume state, after checking that it belongs to the same model, classes and input.
 *
 * @param dir the checkpoint folder
 * @param meta its metadata (step, epoch, samples seen)
 * @param state its resume state (offsets, schedule)
 */
public record ResumePoint(Path dir, CheckpointMeta meta, TrainState state) {

  /** The newest checkpoint of {@code runDir}, if any. */
  public static Optional<ResumePoint> latest(Path runDir) {
    return Checkpoints.latest(runDir).map(d -> new ResumePoint(d, Checkpoints.readMeta(d), TrainState.read(d)));
  }

  /** Fails, naming the way out, unless this checkpoint can continue a run of these settings on {@code source}. */
  public void checkMatches(String model, int numClasses, String source) {
    String why = !meta.model().equals(model) ? "model " + meta.model() + ", not " + model
        : meta.numClasses() != numClasses ? meta.numClasses() + " classes, not " + numClasses
        : !state.source().equals(source) ? "input " + state.source() + ", not " + source
        : null;
    if (why != null) {
      throw new IllegalStateException("run " + meta.runId() + " has checkpoints (latest " + dir + ") trained with "
          + why + "; use the same settings to resume it, --fresh to start it over, or another --run-id");
    }
  }

  /** This checkpoint as a {@link Checkpoint}, e.g. to announce it again. */
  public Checkpoint checkpoint() {
    return new Checkpoint(dir, meta);
  }
}
