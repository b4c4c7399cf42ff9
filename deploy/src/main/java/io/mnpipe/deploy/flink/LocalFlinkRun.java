package io.mnpipe.deploy.flink;

import io.mnpipe.preprocess.flink.FaultTolerance;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A job graph (built onto an environment), its fault tolerance and extra Flink settings in; the job
 * run to its end on an in-process MiniCluster out, watched over its REST endpoint by a
 * {@link JobWatcher}. A job that exhausts its restarts ends in one {@link JobFailedException} naming
 * the cause, never in a silent loop.
 */
public final class LocalFlinkRun {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalFlinkRun.class);
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
    // Loopback only: the REST endpoint is for the watcher, not for the network.
    conf.put("rest.bind-address", "127.0.0.1");
    conf.put("rest.address", "127.0.0.1");
    // REST answers from a copy of the job's state refreshed this often (3 s by default): the
    // watcher should see a restart or a failed checkpoint within a second or so.
    conf.put("web.refresh-interval", "500");
    conf.putAll(extra);
    Configuration configuration = Configuration.fromMap(conf);
    // A cluster of our own rather than a local environment's: it keeps serving REST after the job
    // ends, so the watcher's last look sees every restart and checkpoint, also of a job that failed
    // before the watcher's first poll.
    MiniClusterConfiguration cluster = new MiniClusterConfiguration.Builder().setConfiguration(configuration)
        .withRandomPorts().setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build();
    try (MiniCluster mc = new MiniCluster(cluster)) {
      mc.start();
      StreamExecutionEnvironment env = new StreamExecutionEnvironment(configuration);
      env.setParallelism(parallelism);
      build.accept(env);
      StreamGraph graph = env.getStreamGraph();
      graph.setJobName(jobName);
      long start = System.nanoTime();
      JobID id = mc.submitJob(graph).get().getJobID();
      // The cluster names itself "localhost", which may resolve to ::1; it listens on 127.0.0.1.
      FlinkRestClient rest = new FlinkRestClient(URI.create("http://127.0.0.1:" + mc.getRestAddress().get().getPort()));
      LOG.info("{} {} submitted; Flink's REST API at {}jobs/{}", label, id, rest.base(), id);
      JobWatcher watcher = new JobWatcher(rest, id.toHexString(), label, faultTolerance.restartAttempts(),
          Duration.ofSeconds(1));
      JobResult done = mc.requestJobResult(id).get();
      double seconds = (System.nanoTime() - start) / 1e9;
      watcher.close();
      JobWatcher.Seen seen = watcher.seen();
      try {
        return new Outcome(done.toJobExecutionResult(LocalFlinkRun.class.getClassLoader()), seen, seconds);
      } catch (JobExecutionException e) {
        throw new JobFailedException(label + " failed after " + seen.restarts() + " restart(s)"
            + (seen.checkpointsFailed() > 0 ? " and " + seen.checkpointsFailed() + " failed checkpoint(s)" : "")
            + ": " + innermost(e), seen, e);
      }
    }
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
}
