package io.mnpipe.preprocess.flink;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;

/**
 * Where the preprocess job's checkpoints go, which state backend holds its state, how often it
 * checkpoints and how often it may restart, in; the Flink settings that say so out. One definition
 * for the MiniCluster of {@code pipeline local} and a job submitted to a cluster.
 *
 * <p>Why it is set explicitly: with no checkpoint storage configured Flink keeps checkpoints in the
 * JobManager's memory, 5 MB at most, and the shuffle buffer alone is larger; every checkpoint then
 * fails and the job restarts forever (Flink's default restart strategy with checkpointing on).
 *
 * @param checkpointDir checkpoint storage ({@code file://}, {@code s3://}, {@code hdfs://}); null
 *     leaves it to the cluster's {@code execution.checkpointing.dir}
 * @param stateBackend {@code hashmap} (state on the heap) or {@code rocksdb} (cluster runs; Flink's
 *     distribution ships it); null leaves it to the cluster
 * @param checkpointInterval how often the sinks' transactions commit
 * @param restartAttempts restarts before the job fails for good; negative leaves the cluster's strategy
 * @param restartDelay pause before each restart
 * @param tolerableCheckpointFailures failed checkpoints in a row before the job fails over
 */
public record FaultTolerance(URI checkpointDir, String stateBackend, Duration checkpointInterval, int restartAttempts,
    Duration restartDelay, int tolerableCheckpointFailures) {
  public static final Set<String> STATE_BACKENDS = Set.of("hashmap", "rocksdb");
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
  public static final int DEFAULT_RESTART_ATTEMPTS = 3;
  public static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(2);

  public FaultTolerance {
    if (stateBackend != null && !STATE_BACKENDS.contains(stateBackend)) {
      throw new IllegalArgumentException("state backend must be one of " + STATE_BACKENDS + ", got '" + stateBackend
          + "'");
    }
    if (checkpointDir != null && checkpointDir.getScheme() == null) {
      throw new IllegalArgumentException("checkpoint directory '" + checkpointDir
          + "' needs a scheme: file:///path, s3://bucket/path, hdfs://namenode/path");
    }
    if (checkpointInterval == null || checkpointInterval.toMillis() < 100) {
      throw new IllegalArgumentException("checkpoint interval must be at least 100 ms, got " + checkpointInterval);
    }
    if (restartDelay == null || restartDelay.isNegative()) {
      throw new IllegalArgumentException("restart delay must be >= 0, got " + restartDelay);
    }
    if (tolerableCheckpointFailures < 0) {
      throw new IllegalArgumentException("tolerable checkpoint failures must be >= 0, got "
          + tolerableCheckpointFailures);
    }
  }

  /** Heap state, checkpoints under {@code checkpointDir}, 2 s interval, 3 restarts 2 s apart, no failed checkpoint. */
  public static FaultTolerance defaults(URI checkpointDir) {
    return new FaultTolerance(checkpointDir, "hashmap", DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_RESTART_ATTEMPTS,
        DEFAULT_RESTART_DELAY, 0);
  }

  /** The same with another restart budget. */
  public FaultTolerance withRestartAttempts(int attempts) {
    return new FaultTolerance(checkpointDir, stateBackend, checkpointInterval, attempts, restartDelay,
        tolerableCheckpointFailures);
  }

  /** The Flink settings, as keys of Flink's configuration reference. */
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
    m.put("execution.checkpointing.tolerable-failed-checkpoints", String.valueOf(tolerableCheckpointFailures));
    if (checkpointDir != null) {
      m.put("execution.checkpointing.storage", "filesystem");
      m.put("execution.checkpointing.dir", checkpointDir.toString());
    }
    if (stateBackend != null) {
      m.put("state.backend.type", stateBackend);
    }
    if (restartAttempts >= 0) {
      m.put("restart-strategy.type", "fixed-delay");
      m.put("restart-strategy.fixed-delay.attempts", String.valueOf(restartAttempts));
      m.put("restart-strategy.fixed-delay.delay", restartDelay.toMillis() + " ms");
    }
    return m;
  }

  public Configuration configuration() {
    return Configuration.fromMap(settings());
  }
}
