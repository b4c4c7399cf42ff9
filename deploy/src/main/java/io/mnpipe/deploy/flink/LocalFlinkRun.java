package io.mnpipe.deploy.flink;

import io.mnpipe.preprocess.flink.FaultTolerance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A job graph (built onto an environment), its fault tolerance and extra Flink settings in; the job
 * run to its end on an in-process MiniCluster out, watched over its REST endpoint by a
 * {@link JobWatcher}. A job that exhausts its restarts ends in one {@link JobFailedException} naming
 * the cause, never in a silent loop.
 */
public final class LocalFlinkRun {
  private LocalFlinkRun() {}

  /** The job's result, what the watcher saw, and the wall time from submission to the end. */
  public record Outcome(JobExecutionResult result, JobWatcher.Seen seen, double seconds) {}

  /** A job that failed for good: the cause in one line, and what was seen until then. */
  public static final class JobFailedException extends Exception {
    private final transient JobWatcher.Seen seen;

    JobFailedException(String message, JobWatcher.Seen seen, Throwable cause) {
      super(message, cause);
      this.seen = seen;
    }

    public JobWatcher.Seen seen() {
      return seen;
    }
  }

  /**
   * @param label what the job is, for console lines and errors ("preprocess job")
   * @param extra more Flink settings (metrics reporters, ...)
   */
  public static Outcome run(String jobName, String label, int parallelism, FaultTolerance faultTolerance,
      Map<String, String> extra, Consumer<StreamExecutionEnvironment> build) throws Exception {
    Map<String, String> conf = new LinkedHashMap<>(faultTolerance.settings());
    int restPort = freePort();
    // Loopback only: the REST endpoint is for the watcher, not for the network.
    conf.put("rest.bind-address", "127.0.0.1");
    conf.put("rest.address", "127.0.0.1");
    conf.put("rest.bind-port", String.valueOf(restPort));
    conf.put("rest.port", String.valueOf(restPort));
    conf.putAll(extra);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
        Configuration.fromMap(conf));
    build.accept(env);
    long start = System.nanoTime();
    JobClient job = env.executeAsync(jobName);
    FlinkRestClient rest = new FlinkRestClient(URI.create("http://127.0.0.1:" + restPort));
    JobWatcher watcher = new JobWatcher(rest, job.getJobID().toHexString(), label,
        faultTolerance.restartAttempts(), Duration.ofSeconds(1));
    JobExecutionResult result;
    try {
      result = job.getJobExecutionResult().get();
    } catch (ExecutionException e) {
      watcher.close();
      JobWatcher.Seen seen = watcher.seen();
      throw new JobFailedException(label + " failed after " + seen.restarts() + " restart(s)"
          + (seen.checkpoints().failed() > 0 ? " and " + seen.checkpoints().failed() + " failed checkpoint(s)" : "")
          + ": " + innermost(e), seen, e);
    }
    watcher.close();
    return new Outcome(result, watcher.seen(), (System.nanoTime() - start) / 1e9);
  }

  /** The innermost cause as "Type: message": past Flink's "Job execution failed" and "Recovery is suppressed". */
  static String innermost(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg = t.getMessage();
    return t.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg.lines().findFirst().orElse(""));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
