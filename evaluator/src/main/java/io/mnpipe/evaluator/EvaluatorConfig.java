package io.mnpipe.evaluator;

/**
 * Settings of an evaluator: which validation split to score on, which checkpoints to score, and
 * how. Build with {@link #of(String)} and the {@code with*} methods.
 *
 * @param valTopic AugmentedSample topic of the validation split (eval transforms applied)
 * @param groupId consumer group whose committed offsets on the checkpoints topic mark what is scored
 * @param runId score only checkpoints of this run; null scores every run
 * @param batchSize samples per forward pass (default 64)
 * @param prefetchBatches batches assembled ahead of the scoring thread (default 2)
 * @param latestOnly when several checkpoints of a run wait, score only the newest and record the
 *     others as skipped (the long-running service's default); false scores every one
 * @param checkpointTopic where checkpoint events come from (default {@code mnpipe.checkpoints})
 */
public record EvaluatorConfig(String valTopic, String groupId, String runId, int batchSize, int prefetchBatches,
    boolean latestOnly, String checkpointTopic) {
  public static final String DEFAULT_GROUP = "mnpipe-evaluator";

  public EvaluatorConfig {
    if (valTopic == null || valTopic.isBlank()) {
      throw new IllegalArgumentException("valTopic must name the validation samples topic");
    }
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("groupId must not be blank");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (checkpointTopic == null || checkpointTopic.isBlank()) {
      throw new IllegalArgumentException("checkpointTopic must name the checkpoint events topic");
    }
    if (prefetchBatches < 1) {
      throw new IllegalArgumentException("prefetchBatches must be >= 1, got " + prefetchBatches);
    }
  }

  /** Defaults: group {@value #DEFAULT_GROUP}, every run, batch 64, prefetch 2, every checkpoint scored. */
  public static EvaluatorConfig of(String valTopic) {
    return new EvaluatorConfig(valTopic, DEFAULT_GROUP, null, 64, 2, false, io.mnpipe.schemas.Topics.CHECKPOINTS);
  }

  public EvaluatorConfig withCheckpointTopic(String t) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, prefetchBatches, latestOnly, t);
  }

  public EvaluatorConfig withLatestOnly(boolean l) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, prefetchBatches, l, checkpointTopic);
  }

  public EvaluatorConfig withGroupId(String g) {
    return new EvaluatorConfig(valTopic, g, runId, batchSize, prefetchBatches, latestOnly, checkpointTopic);
  }

  public EvaluatorConfig withRunId(String r) {
    return new EvaluatorConfig(valTopic, groupId, r, batchSize, prefetchBatches, latestOnly, checkpointTopic);
  }

  public EvaluatorConfig withBatchSize(int b) {
    return new EvaluatorConfig(valTopic, groupId, runId, b, prefetchBatches, latestOnly, checkpointTopic);
  }

  public EvaluatorConfig withPrefetchBatches(int p) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, p, latestOnly, checkpointTopic);
  }
}
