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
 * @param intraOpThreads libtorch intra-op threads of the scoring thread; 0 = the engine's default.
 *     1 keeps an evaluator sharing a process (and its cores) with a CPU trainer from slowing the
 *     trainer down (see IntraOpThreads)
 */
public record EvaluatorConfig(String valTopic, String groupId, String runId, int batchSize, int prefetchBatches,
    boolean latestOnly, String checkpointTopic, int intraOpThreads) {
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
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = engine default), got " + intraOpThreads);
    }
    if (prefetchBatches < 1) {
      throw new IllegalArgumentException("prefetchBatches must be >= 1, got " + prefetchBatches);
    }
  }

  /** Defaults: group {@value #DEFAULT_GROUP}, every run, batch 64, prefetch 2, every checkpoint scored. */
  public static EvaluatorConfig of(String valTopic) {
    return new EvaluatorConfig(valTopic, DEFAULT_GROUP, null, 64, 2, false, io.mnpipe.schemas.Topics.CHECKPOINTS, 0);
  }

  public EvaluatorConfig withCheckpointTopic(String t) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, prefetchBatches, latestOnly, t, intraOpThreads);
  }

  public EvaluatorConfig withLatestOnly(boolean l) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, prefetchBatches, l, checkpointTopic, intraOpThreads);
  }

  public EvaluatorConfig withGroupId(String g) {
    return new EvaluatorConfig(valTopic, g, runId, batchSize, prefetchBatches, latestOnly, checkpointTopic, intraOpThreads);
  }

  public EvaluatorConfig withRunId(String r) {
    return new EvaluatorConfig(valTopic, groupId, r, batchSize, prefetchBatches, latestOnly, checkpointTopic, intraOpThreads);
  }

  public EvaluatorConfig withBatchSize(int b) {
    return new EvaluatorConfig(valTopic, groupId, runId, b, prefetchBatches, latestOnly, checkpointTopic, intraOpThreads);
  }

  public EvaluatorConfig withIntraOpThreads(int n) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, prefetchBatches, latestOnly, checkpointTopic, n);
  }

  public EvaluatorConfig withPrefetchBatches(int p) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, p, latestOnly, checkpointTopic, intraOpThreads);
  }
}
