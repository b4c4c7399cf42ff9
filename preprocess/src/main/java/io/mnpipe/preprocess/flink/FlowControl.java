package io.mnpipe.preprocess.flink;

import java.io.Serializable;
import java.util.List;

/**
 * How far the epoch source may run ahead of its trainers: at most {@code maxLead} records between
 * the end of the samples topic and the slowest of {@code trainerGroups} (their committed offsets,
 * see {@code TrainerGroups}). Without groups there is no limit. {@code deleteTrained}: the job also
 * deletes the samples every group's latest checkpoint has moved past ({@code SampleRetention}), so
 * the topic's disk stays bounded whatever the number of epochs.
 */
public record FlowControl(List<String> trainerGroups, long maxLead, boolean deleteTrained) implements Serializable {
  /** Records a trainer may lag by default: ~40 s of CPU training at 32x32, a few Flink checkpoint intervals. */
  public static final long DEFAULT_MAX_LEAD = 20_000;
  public static final FlowControl NONE = new FlowControl(List.of(), DEFAULT_MAX_LEAD, false);

  /** Held back by {@code trainerGroups}, deleting what they have all checkpointed past. */
  public FlowControl(List<String> trainerGroups, long maxLead) {
    this(trainerGroups, maxLead, true);
  }

  public FlowControl {
    trainerGroups = List.copyOf(trainerGroups);
    if (maxLead < 1) {
      throw new IllegalArgumentException("max lead must be at least 1 record, got " + maxLead);
    }
  }

  public boolean enabled() {
    return !trainerGroups.isEmpty();
  }
}
