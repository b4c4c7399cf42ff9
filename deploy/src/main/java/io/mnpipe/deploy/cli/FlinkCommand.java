package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.flink.FlinkRestClient;
import io.mnpipe.deploy.flink.JobWatcher;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code pipeline flink ...}: the preprocess job on a Flink cluster instead of the embedded one. */
@Command(name = "flink", mixinStandardHelpOptions = true,
    description = "Runs the preprocess job on a Flink session cluster (see docs/FLINK.md).",
    subcommands = {FlinkCommand.Submit.class})
public final class FlinkCommand implements Runnable {
  /** Where deploy's build puts the preprocess job jar, relative to the directory of pipeline.jar. */
  static final Path JOB_JAR = Path.of("flink-jobs", "preprocess-job.jar");

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Uploads a job jar over Flink's REST API and runs it; prints the job id (and, waiting, its end state). */
  @Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Uploads a job jar to a Flink session cluster over its REST API, runs it",
          "and prints the job id. The job's own arguments follow '--';",
          "`java -jar <job jar> --help` lists them."},
      footer = {"", "Example:", "  pipeline flink submit --rest http://jobmanager:8081 --wait -- \\",
          "    --bootstrap kafka:9092 --raw-topic mnpipe.images.synthetic.v1.train \\",
          "    --samples-topic mnpipe.samples.synthetic.v1.train --image-size 224"})
  static final class Submit implements Callable<Integer> {
    @Option(names = "--rest", required = true, paramLabel = "URL",
        description = "REST address of the JobManager: http://HOST:PORT (port 8081 by default).")
    String rest;

    @Option(names = "--jar", paramLabel = "PATH",
        description = "Job jar (default: the preprocess job jar, flink-jobs/preprocess-job.jar beside pipeline.jar).")
    Path jar;

    @Option(names = "--entry-class", paramLabel = "CLASS", description = "Main class (default: the jar's Main-Class).")
    String entryClass;

    @Option(names = "--parallelism", description = "Default parallelism of the job (default: the cluster's).")
    Integer parallelism;

    @Option(names = "--wait", description = "Wait for the job to end and print its final state; exit 1 unless FINISHED.")
    boolean await;

    @Option(names = "--wait-timeout", paramLabel = "SECONDS",
        description = "With --wait: give up waiting after this many seconds (default: no limit); the job keeps running.")
    Long waitTimeoutSeconds;

    @Parameters(paramLabel = "JOB_ARG", description = "Arguments of the job, after '--'.")
    List<String> jobArgs = new ArrayList<>();

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!unmatched.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "unknown option " + unmatched.get(0)
            + "; the job's own arguments go after '--': pipeline flink submit --rest URL -- --bootstrap HOST:PORT ...");
      }
      if (parallelism != null && parallelism < 1) {
        throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
      }
      if (waitTimeoutSeconds != null && waitTimeoutSeconds < 1) {
        throw new IllegalArgumentException("--wait-timeout must be at least 1 s, got " + waitTimeoutSeconds);
      }
      Path jobJar = jar != null ? jar : defaultJar();
      if (!Files.isRegularFile(jobJar)) {
        throw new IllegalArgumentException((jar != null ? "--jar " + jobJar + " is not a file"
            : "no job jar at " + jobJar + "; build it with ./mvnw package, or pass --jar"));
      }
      FlinkRestClient flink = new FlinkRestClient(uri(rest));
      String jarId = flink.uploadJar(jobJar);
      String jobId;
      try {
        jobId = flink.runJar(jarId, new FlinkRestClient.RunRequest(entryClass, jobArgs, parallelism));
      } finally {
        // The submitted job has its own copy (blob server); the upload would only pile up on the JobManager.
        try {
          flink.deleteJar(jarId);
        } catch (RuntimeException e) {
          System.err.println("warning: could not delete the uploaded jar " + jarId + ": " + e.getMessage());
        }
      }
      System.err.println("submitted " + jobJar.getFileName() + " to " + flink.base() + ": job " + jobId);
      System.out.println(jobId);
      if (!await) {
        return 0;
      }
      String state;
      // While it waits, each restart and failed checkpoint of the job is one line on the console.
      try (JobWatcher watcher = new JobWatcher(flink, jobId, "job " + jobId, -1, Duration.ofSeconds(2))) {
        state = flink.awaitTermination(jobId, Duration.ofSeconds(1),
            waitTimeoutSeconds == null ? null : Duration.ofSeconds(waitTimeoutSeconds));
      }
      System.out.println(state);
      if (!"FINISHED".equals(state)) {
        String cause = flink.failureCause(jobId);
        throw new IllegalStateException("job " + jobId + " " + state + (cause == null ? "" : ": " + cause));
      }
      return 0;
    }

    private static URI uri(String rest) {
      try {
        return new URI(rest);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("--rest '" + rest + "' is not a URL like http://HOST:PORT");
      }
    }
  }

  /** The job jar beside the launcher: deploy/target/pipeline.jar (or target/classes) -> target/flink-jobs/. */
  static Path defaultJar() throws URISyntaxException {
    Path launcher = Path.of(FlinkCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return launcher.getParent().resolve(JOB_JAR);
  }
}
