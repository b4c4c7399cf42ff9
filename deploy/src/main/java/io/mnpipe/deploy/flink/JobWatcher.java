package io.mnpipe.deploy.flink;

import io.mnpipe.deploy.flink.FlinkRestClient.CheckpointStats;
import io.mnpipe.deploy.flink.FlinkRestClient.FailedCheckpoint;
import io.mnpipe.deploy.flink.FlinkRestClient.JobFailure;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running job's REST endpoint in, one console line per restart and per failed checkpoint out
 * (what failed, its innermost cause, the restart count), and the job's checkpoint figures at the end.
 *
 * <p>Why: Flink says both only at INFO, in its own loggers; a {@code pipeline local} whose
 * checkpoints all failed restarted forever without a word on the console.
 */
public final class JobWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobWatcher.class);

  /**
   * What the watcher saw: restarts, the checkpoint figures of its last poll, and of Flink's failed
   * checkpoints those that failed for real (declined by a task that was starting or finishing, as a
   * bounded pass's tasks do when they end, is not a failure: Flink does not count it against the
   * tolerable failures either). Checkpoints Flink could not even start (it counts them as failed but
   * keeps no history entry, so no reason: typically not all tasks running yet, right after the job's
   * start or a restart) are counted apart; a serious one fails the job over and shows as a restart.
   */
  public record Seen(long restarts, CheckpointStats checkpoints, long checkpointsFailed,
      long checkpointsDeclinedByEndingTasks, long checkpointsNotStarted) {}

  /**
   * Flink's reasons for a checkpoint that a task declined because it was closing or not yet
   * running, or that the coordinator dropped as the job ended (or failed over, which shows as a restart).
   */
  static final List<String> TASK_NOT_THERE = List.of(
      CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING.message(),
      CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_NOT_READY.message(),
      CheckpointFailureReason.CHECKPOINT_COORDINATOR_SUSPEND.message());

  private final FlinkRestClient flink;
  private final String jobId;
  private final String label;
  private final int restartBudget;
  private final Thread thread;
  private volatile boolean stopped;
  private long restarts;
  private final Set<Long> failedSeen = new HashSet<>();
  private long accounted;
  private long failedForReal;
  private long declinedByEndingTasks;
  private long notStarted;
  private long lastFailureTime;
  private CheckpointStats checkpoints = CheckpointStats.NONE;

  /**
   * Starts polling every {@code poll}.
   *
   * @param label what the job is, for the lines it prints ("preprocess job")
   * @param restartBudget restarts the job may make (shown as "restart 2 of 3"); negative if unbounded
   */
  public JobWatcher(FlinkRestClient flink, String jobId, String label, int restartBudget, Duration poll) {
    this.flink = flink;
    this.jobId = jobId;
    this.label = label;
    this.restartBudget = restartBudget;
    this.thread = new Thread(() -> {
      while (!stopped) {
        pollQuietly();
        try {
          Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "job-watcher-" + jobId);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops polling after one last look, so the figures cover the whole job. */
  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.interrupt();
    thread.join(10_000);
    // REST serves a cached view of the job (web.refresh-interval): wait until it shows the end.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && !ended()) {
      Thread.sleep(100);
    }
    pollQuietly();
  }

  private boolean ended() {
    try {
      return FlinkRestClient.TERMINAL_STATES.contains(flink.jobState(jobId));
    } catch (RuntimeException e) {
      return false;
    }
  }

  public synchronized Seen seen() {
    return new Seen(restarts, checkpoints, failedForReal, declinedByEndingTasks, notStarted);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  /** ", caused by X" for the last "Caused by:" line of a stringified exception, or "" without one. */
  static String innermostCause(String s) {
    if (s == null) {
      return "";
    }
    return s.lines().map(String::strip).filter(l -> l.startsWith("Caused by:")).reduce((a, b) -> b)
        .map(l -> ", caused by " + l.substring("Caused by:".length()).strip()).orElse("");
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      // A job that just ended, or a JobManager busy restarting: the next poll tries again.
      LOG.debug("polling {} failed", jobId, e);
    }
  }

  synchronized void poll() {
    if ("INITIALIZING".equals(flink.jobState(jobId))) {
      return; // its other handlers answer HTTP 500 (and log an ERROR) until the JobMaster runs
    }
    CheckpointStats c = flink.checkpoints(jobId);
    for (int i = c.recentFailures().size() - 1; i >= 0; i--) { // oldest first
      FailedCheckpoint f = c.recentFailures().get(i);
      if (!failedSeen.add(f.id())) {
        continue;
      }
      accounted++;
      if (TASK_NOT_THERE.stream().anyMatch(f.message()::contains)) {
        declinedByEndingTasks++;
        LOG.info("{}: checkpoint {} was dropped as tasks started or ended ({})", label, f.id(), f.message());
      } else {
        failedForReal++;
        LOG.warn("{}: checkpoint {} failed ({} so far, {} completed): {}{}", label, f.id(), failedForReal,
            c.completed(), firstLine(f.message()), innermostCause(f.message()));
      }
    }
    long unseen = c.failed() - accounted;
    if (unseen > 0) {
      notStarted += unseen;
      accounted += unseen;
      LOG.info("{}: {} checkpoint(s) could not start ({} completed so far)", label, unseen, c.completed());
    }
    checkpoints = c;
    // Each failover (global, or of a region) is one entry of the exception history, newest first.
    // (Flink's numRestarts metric reaches the REST API only through its metric fetcher, late.)
    List<JobFailure> failures = flink.failures(jobId);
    for (int i = failures.size() - 1; i >= 0; i--) {
      JobFailure f = failures.get(i);
      if (f.timestamp() <= lastFailureTime) {
        continue;
      }
      lastFailureTime = f.timestamp();
      String what = (f.taskName() == null ? "the job" : f.taskName()) + " failed: " + f.rootCause();
      if (restartBudget >= 0 && restarts >= restartBudget) {
        LOG.warn("{}: {} (no restart left)", label, what);
      } else {
        restarts++;
        LOG.warn("{} restarting (restart {}{}): {}", label, restarts, restartBudget < 0 ? "" : " of " + restartBudget,
            what);
      }
    }
  }
}
