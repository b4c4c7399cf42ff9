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
 */
public record EvaluatorConfig(String valTopic, String groupId, String runId, int batchSize, int prefetchBatches) {
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
    if (prefetchBatches < 1) {
      throw new IllegalArgumentException("prefetchBatches must be >= 1, got " + prefetchBatches);
    }
  }

  /** Defaults: group {@value #DEFAULT_GROUP}, every run, batch 64, prefetch 2. */
  public static EvaluatorConfig of(String valTopic) {
    return new EvaluatorConfig(valTopic, DEFAULT_GROUP, null, 64, 2);
  }

  public EvaluatorConfig withGroupId(String g) {
    return new EvaluatorConfig(valTopic, g, runId, batchSize, prefetchBatches);
  }

  public EvaluatorConfig withRunId(String r) {
    return new EvaluatorConfig(valTopic, groupId, r, batchSize, prefetchBatches);
  }

  public EvaluatorConfig withBatchSize(int b) {
    return new EvaluatorConfig(valTopic, groupId, runId, b, prefetchBatches);
  }

  public EvaluatorConfig withPrefetchBatches(int p) {
    return new EvaluatorConfig(valTopic, groupId, runId, batchSize, p);
  }
}
