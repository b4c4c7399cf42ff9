package io.mnpipe.preprocess.flink;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.image.ImageDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Job arguments in, one bounded preprocess pass over a raw topic submitted to the Flink cluster
 * that runs this {@code main} out: the job jar's entry point for {@code flink run} and
 * {@code pipeline flink submit}. See docs/FLINK.md.
 */
public final class PreprocessMain {
  private PreprocessMain() {}

  /** The job's arguments; a class of their own, so picocli can print --help without Flink classes. */
  @Command(name = "preprocess-job", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Decodes and augments every image of a raw topic into a samples topic, once per epoch "
          + "(--epochs), held back by the trainers reading it (--trainer-group); undecodable images go to "
          + "<raw-topic>.dlq.")
  static final class Args {
    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
        description = "Kafka bootstrap servers, as the TaskManagers reach them.")
    String bootstrap;

    @Option(names = "--raw-topic", required = true, paramLabel = "TOPIC",
        description = "Raw images, as ingest wrote them.")
    String rawTopic;

    @Option(names = "--samples-topic", required = true, paramLabel = "TOPIC", description = "Where the samples go.")
    String samplesTopic;

    @Option(names = "--preset", defaultValue = "train",
        description = "train (random resized crop + flip) or eval (resize + center crop); default ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--image-size", defaultValue = "224", description = "Output size in pixels (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--epoch", defaultValue = "1",
        description = "Epoch tag of the (first) epoch's samples, 1-based; train crops differ per epoch.")
    int epoch;

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "N",
        description = {"Epochs to write, one after another in one job, from --epoch on (default ${DEFAULT-VALUE}).",
            "More than one goes through a shuffle buffer of --shuffle-buffer records a subtask."})
    int epochs;

    @Option(names = "--shuffle-buffer", defaultValue = "1024", paramLabel = "RECORDS",
        description = "Shuffle buffer of a multi-epoch job, records a subtask; 0 = none (default ${DEFAULT-VALUE}).")
    int shuffleBuffer;

    @Option(names = "--trainer-group", paramLabel = "GROUP",
        description = {"Consumer group of a trainer reading --samples-topic (train commits mnpipe-trainer-<run-id>);",
            "repeatable. The job stays at most --max-lead records ahead of the slowest, and deletes what all",
            "of them have checkpointed past (unless --keep-trained)."})
    List<String> trainerGroups = new ArrayList<>();

    @Option(names = "--max-lead", defaultValue = "" + FlowControl.DEFAULT_MAX_LEAD, paramLabel = "RECORDS",
        description = {"With --trainer-group: records the job may be ahead of the slowest trainer (default",
            "${DEFAULT-VALUE}); keep it above what a checkpoint interval writes, or trainers wait for commits."})
    long maxLead;

    @Option(names = "--keep-trained",
        description = "With --trainer-group: keep the trained samples (the topic's retention applies).")
    boolean keepTrained;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the augmentation (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--parallelism", description = "Job parallelism (default: the submission's or the cluster's).")
    Integer parallelism;

    @Option(names = "--job-name", description = "Default: mnpipe-preprocess-<samples topic>-e<epoch>.")
    String jobName;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
        description = {"Checkpoint storage: file:///path, s3://bucket/path, hdfs://host/path (default: the",
            "cluster's execution.checkpointing.dir; without one Flink keeps checkpoints in JobManager memory)."})
    java.net.URI checkpointDir;

    @Option(names = "--state-backend", paramLabel = "hashmap|rocksdb",
        description = "State backend (default: the cluster's; rocksdb ships with Flink's distribution).")
    String stateBackend;

    @Option(names = "--checkpoint-interval", defaultValue = "PT2S", paramLabel = "DURATION",
        description = "How often the sinks' transactions commit, ISO-8601 (default ${DEFAULT-VALUE}).")
    java.time.Duration checkpointInterval;

    @Option(names = "--restart-attempts", defaultValue = "-1", paramLabel = "N",
        description = "Restarts before the job fails for good, 2 s apart (default: the cluster's restart strategy).")
    int restartAttempts;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
        description = "Extra setting for every Kafka client of the job (SASL/SSL, timeouts); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();
  }

  static FlowControl flowControl(Args a) {
    return a.trainerGroups.isEmpty() ? FlowControl.NONE
        : new FlowControl(a.trainerGroups, a.maxLead, !a.keepTrained);
  }

  static FaultTolerance faultTolerance(Args a) {
    return new FaultTolerance(a.checkpointDir, a.stateBackend, a.checkpointInterval, a.restartAttempts,
        FaultTolerance.DEFAULT_RESTART_DELAY, 0);
  }

  /** Parses job arguments as {@link #main} does, running nothing; throws naming what is wrong. */
  public static void checkArgs(String... args) {
    parse(args);
  }

  public static void main(String[] args) throws Exception {
    Args job = parse(args);
    if (job != null) {
      run(StreamExecutionEnvironment.getExecutionEnvironment(), job);
    }
  }

  /**
   * The parsed arguments, or null when help was asked for and printed. Bad arguments throw (never
   * System.exit: under REST submission this main runs inside the JobManager).
   */
  static Args parse(String... args) {
    Args job = new Args();
    CommandLine cli = new CommandLine(job);
    try {
      cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      // Not chained: REST and CLI callers show the innermost cause, and this message is the one to show.
      throw new IllegalArgumentException("preprocess job: " + e.getMessage() + " (--help lists the arguments)");
    }
    if (cli.isUsageHelpRequested() || cli.isVersionHelpRequested()) {
      cli.usage(System.out);
      return null;
    }
    if (job.epochs < 1 || job.epoch < 1) {
      throw new IllegalArgumentException("preprocess job: --epoch and --epochs must be at least 1, got " + job.epoch
          + " and " + job.epochs);
    }
    if (job.shuffleBuffer < 0) {
      throw new IllegalArgumentException("preprocess job: --shuffle-buffer must be >= 0, got " + job.shuffleBuffer);
    }
    try {
      flowControl(job);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("preprocess job: " + e.getMessage());
    }
    if (job.parallelism != null && job.parallelism < 1) {
      throw new IllegalArgumentException("preprocess job: --parallelism must be at least 1, got " + job.parallelism);
    }
    try {
      faultTolerance(job);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("preprocess job: " + e.getMessage());
    }
    return job;
  }

  /**
   * Builds the job on {@code env} and executes it. Attached ({@code flink run}) this waits for the
   * end; detached (REST submission) it returns once the job is submitted.
   */
  static JobExecutionResult run(StreamExecutionEnvironment env, Args a) throws Exception {
    KafkaSettings kafka = new KafkaSettings(a.bootstrap, a.kafkaProperties);
    AugmentPreset augment = new AugmentPreset(a.preset, a.imageSize, a.seed);
    if (a.parallelism != null) {
      env.setParallelism(a.parallelism);
    }
    env.configure(faultTolerance(a).configuration());
    FlowControl flow = flowControl(a);
    PreprocessJob.Pass pass = a.epochs == 1 && !flow.enabled()
        ? KafkaPasses.bounded(kafka, a.preset, a.rawTopic, a.samplesTopic, augment, a.epoch)
        : KafkaPasses.epochs(kafka, a.preset, a.rawTopic, a.samplesTopic, augment, a.epoch, a.epochs,
            a.epochs == 1 ? 0 : a.shuffleBuffer, PreprocessJob.DEFAULT_SHUFFLE_BUFFER_BYTES, flow);
    new PreprocessJob(List.of(pass), ImageDecoder.DEFAULT_MAX_PIXELS, a.seed).build(env);
    String epochs = a.epochs == 1 ? "-e" + a.epoch : "-e" + a.epoch + "-" + (a.epoch + a.epochs - 1);
    return env.execute(a.jobName != null ? a.jobName : "mnpipe-preprocess-" + a.samplesTopic + epochs);
  }
}
