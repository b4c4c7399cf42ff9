package io.mnpipe.deploy.local;

import io.mnpipe.deploy.flink.FlinkRestClient;
import io.mnpipe.deploy.flink.LocalFlinkRun;
import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.publish.PublishReport;
import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.DatasetSources;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.EmbeddedKafka;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.kafka.SampleRetention;
import io.mnpipe.kafka.TrainerGroups;
import io.mnpipe.preprocess.flink.FaultTolerance;
import io.mnpipe.preprocess.flink.FlowControl;
import io.mnpipe.preprocess.flink.KafkaPasses;
import io.mnpipe.preprocess.flink.PreprocessJob;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LocalConfig} in, every stage run on this machine against real Kafka, a {@link RunSummary}
 * out: ingest publishes, the Flink job preprocesses each epoch, the trainer trains from the
 * samples topic while the evaluator scores each checkpoint it announces.
 */
public final class LocalPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);
  /** Partitions of the training samples topic. */
  static final int TRAIN_PARTITIONS = 4;

  /** Records per preprocess subtask held for shuffling the training stream. */
  static final int SHUFFLE_BUFFER = 1024;
  private final LocalConfig config;
  private final String runId;

  public LocalPipeline(LocalConfig config) {
    this.config = config;
    this.runId = "local-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }

  public String runId() {
    return runId;
  }

  public RunSummary run() throws Exception {
    long start = System.nanoTime();
    Files.createDirectories(config.workDir());
    EmbeddedKafka broker = null;
    Path brokerDir = null;
    try (MetricsEndpoint metrics = new MetricsEndpoint("127.0.0.1", config.metricsPort())) {
      KafkaSettings kafka;
      if (config.bootstrap() == null) {
        brokerDir = Files.createTempDirectory(config.workDir(), "kafka-");
        broker = EmbeddedKafka.start(brokerDir, true);
        kafka = broker.settings();
      } else {
        kafka = new KafkaSettings(config.bootstrap());
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
          admin.checkReachable(Duration.ofSeconds(15));
        }
      }
      LOG.info("run {}: Kafka at {}, metrics at {}", runId, kafka.bootstrap(), metrics.url());
      return stages(kafka, start, brokerDir);
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private RunSummary stages(KafkaSettings kafka, long start, Path brokerDir) throws Exception {
    // Each run gets its own topics: re-running against a shared cluster never mixes runs.
    String version = runId;
    DatasetSource source = "synthetic".equals(config.dataset()) ? new SyntheticDataset(config.synthetic())
        : DatasetSources.open(config.dataset(), null);
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config(version, 4, 10L << 20, Duration.ofSeconds(5)));

    LOG.info("[1/4] ingest: publishing {} ({} train + {} val images)", source.name(),
        source.expectedSize("train").orElse(-1), source.expectedSize("val").orElse(-1));
    long t0 = System.nanoTime();
    PublishReport train = publisher.publish(source, "train", publisher.defaultTopic(source, "train"));
    PublishReport val = publisher.publish(source, "val", publisher.defaultTopic(source, "val"));
    double ingestSeconds = seconds(t0);

    LOG.info("[2/4] preprocess: Flink job, {} epoch(s), parallelism {}; training starts on its first samples",
        config.epochs(), config.parallelism());
    String trainSamples = Topics.samples(source.name(), version, "train").name();
    String valSamples = Topics.samples(source.name(), version, "val").name();
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(SampleRetention.spec(trainSamples, TRAIN_PARTITIONS), TopicAdmin.spec(valSamples, 2),
          TopicAdmin.spec(Topics.deadLetters(train.topic()).name(), 1),
          TopicAdmin.spec(Topics.deadLetters(val.topic()).name(), 1),
          TopicAdmin.spec(Topics.CHECKPOINTS, 1), TopicAdmin.compacted(Topics.EVALUATIONS, 1)), Duration.ofSeconds(60));
    }
    // Fan-out: each model is its own run (checkpoints, evaluations, trainer group) on the one stream.
    Map<String, String> runs = runIds();
    List<String> groups = runs.values().stream().map(TrainerGroups::of).toList();
    // One job: the train split replayed for every epoch through a shuffle buffer, and the val split once.
    List<PreprocessJob.Pass> passes = List.of(
        KafkaPasses.epochs(kafka, "train", train.topic(), trainSamples,
            new AugmentPreset(config.smallImages() ? "flip" : "train", config.imageSize(), config.seed()), 1,
            config.epochs(), SHUFFLE_BUFFER, config.shuffleBufferBytes(),
            new FlowControl(groups, config.maxLead())),
        KafkaPasses.bounded(kafka, "val", val.topic(), valSamples,
            new AugmentPreset(config.smallImages() ? "resize" : "eval", config.imageSize(), 0), 1));
    FaultTolerance faultTolerance = FaultTolerance.defaults(config.workDir().resolve("flink-checkpoints").toUri())
        .withRestartAttempts(config.restartAttempts());
    // Stream, don't stage: the job runs on its own thread while the trainer follows the samples it
    // commits (one Flink checkpoint after the start) and the evaluator scores each checkpoint.
    CompletableFuture<LocalFlinkRun.Outcome> job = new CompletableFuture<>();
    Thread jobThread = new Thread(() -> {
      try {
        job.complete(LocalFlinkRun.run("mnpipe-preprocess-" + runId, "preprocess job", config.parallelism(),
            faultTolerance, flinkReporter(),
            env -> new PreprocessJob(passes, ImageDecoder.DEFAULT_MAX_PIXELS, config.seed()).build(env)));
      } catch (Throwable e) {
        job.completeExceptionally(e);
      }
    }, "preprocess-job");
    jobThread.setDaemon(true);
    jobThread.start();
    CompletableFuture<Long> jobEnd = job.thenApply(o -> System.nanoTime());

    // The schedule plans on what was published: a few dead-lettered images shorten the epochs a little.
    long plannedPerEpoch = train.published();
    Map<String, TrainAndEvaluate.Result> trained = new LinkedHashMap<>();
    BoundedDisk disk = new BoundedDisk(kafka, trainSamples, TRAIN_PARTITIONS, brokerDir).start();
    try {
      CompletableFuture<Void> valReady = PassCompletion.watch(kafka,
          List.of(valSamples, Topics.deadLetters(val.topic()).name()), val.published(), job);
      List<TrainAndEvaluate> each = new ArrayList<>();
      runs.forEach((model, id) -> each.add(new TrainAndEvaluate(kafka, config, model, id, trainSamples, valSamples,
          source.classNames().size(), plannedPerEpoch, jobEnd, valReady)));
      List<TrainAndEvaluate.Result> results = trainSideBySide(each);
      int i = 0;
      for (String model : runs.keySet()) {
        trained.put(model, results.get(i++));
      }
    } catch (Exception e) {
      if (job.isCompletedExceptionally()) {
        throw failure(job); // the job's failure is the cause; the trainer only stopped because of it
      }
      throw e;
    } finally {
      disk.close();
    }
    if (job.isCompletedExceptionally()) {
      throw failure(job);
    }
    LocalFlinkRun.Outcome outcome = job.get();
    double preprocessSeconds = outcome.seconds();
    // Counted in the topics, as read_committed consumers see them: accumulators restart with a task.
    // Every model's trained keys are audited: each must have seen every sample once per epoch.
    PassAudit trainPass = null;
    for (String id : runs.values()) {
      PassAudit a = PassAudit.of(kafka, train.topic(), Topics.samples(source.name(), version, "train"),
          Topics.deadLetters(train.topic()), config.epochs(),
          config.workDir().resolve("checkpoints").resolve(id).resolve("trained-keys.log"));
      if (!a.exact()) {
        throw new IllegalStateException("preprocess lost or duplicated images"
            + (runs.size() > 1 ? " (as run " + id + " trained them)" : "") + ", " + a.mismatch(train.topic()));
      }
      trainPass = trainPass == null ? a : trainPass;
    }
    PassAudit valPass = PassAudit.of(kafka, val.topic(), Topics.samples(source.name(), version, "val"),
        Topics.deadLetters(val.topic()), 1);
    if (!valPass.exact()) {
      throw new IllegalStateException("preprocess lost or duplicated images, " + valPass.mismatch(val.topic()));
    }
    FlinkRestClient.CheckpointStats ck = outcome.seen().checkpoints();
    LOG.info("preprocess: train {} decoded and {} dead-lettered per epoch, val {} and {}; {} checkpoints ({} failed,"
        + " largest {} bytes, longest {} ms), {} restarts", trainPass.decodedPerEpoch(),
        trainPass.deadLetteredPerEpoch(), valPass.decodedPerEpoch(), valPass.deadLetters(), ck.completed(),
        outcome.seen().checkpointsFailed(), ck.maxStateBytes(), ck.maxDurationMs(), outcome.seen().restarts());
    long decoded = trainPass.decodedPerEpoch() + valPass.decodedPerEpoch();
    long dead = trainPass.deadLetteredPerEpoch() + valPass.deadLetters();
    long augmented = trainPass.samplesPerEpoch().values().stream().mapToLong(Long::longValue).sum()
        + valPass.decodedPerEpoch();

    List<RunSummary.ModelRun> models = new ArrayList<>();
    trained.forEach((model, r) -> models.add(new RunSummary.ModelRun(model, runs.get(model), r.trainedSamples(),
        r.steps(), r.checkpoints(), r.evaluations(), finalTop1(r), firstStep(r, start), r.trainSeconds())));
    TrainAndEvaluate.Result te = trained.values().iterator().next();
    return new RunSummary(runId, config.model(), config.epochs(), config.imageSize(),
        train.published() + val.published(), train.rejected().size() + val.rejected().size(), decoded, dead,
        augmented, te.trainedSamples(), te.steps(), te.checkpoints(), te.evaluations(), finalTop1(te),
        1.0 / source.classNames().size(), seconds(start), firstStep(te, start), (jobEnd.get() - start) / 1e9,
        disk.peakBytes(),
        new RunSummary.StageSeconds(ingestSeconds, preprocessSeconds, te.trainSeconds(), te.evaluateSeconds()),
        new RunSummary.FlinkFigures(ck.completed(), outcome.seen().checkpointsFailed(),
            outcome.seen().checkpointsDeclinedByEndingTasks(), outcome.seen().checkpointsNotStarted(),
            outcome.seen().restarts(), ck.maxStateBytes(), ck.maxDurationMs()), models);
  }

  /** Model -> run id: the run's own id for one model; with several, the run id and the model's name. */
  private Map<String, String> runIds() {
    Map<String, String> ids = new LinkedHashMap<>();
    List<String> models = config.models();
    for (String m : models) {
      ids.put(m, models.size() == 1 ? runId : runId + "-" + m);
    }
    return ids;
  }

  /**
   * Runs each trainer and its evaluator on a thread of its own, all reading the one samples topic;
   * returns their results in order. A failure of one is thrown once all have ended (the others
   * train on; a failed job stops them all).
   */
  private static List<TrainAndEvaluate.Result> trainSideBySide(List<TrainAndEvaluate> each) throws Exception {
    if (each.size() == 1) {
      return List.of(each.get(0).run());
    }
    ExecutorService pool = Executors.newFixedThreadPool(each.size(), r -> new Thread(r, "train-and-evaluate"));
    try {
      List<Future<TrainAndEvaluate.Result>> running = new ArrayList<>();
      for (TrainAndEvaluate t : each) {
        running.add(pool.submit(t::run));
      }
      List<TrainAndEvaluate.Result> results = new ArrayList<>();
      Exception first = null;
      for (Future<TrainAndEvaluate.Result> f : running) {
        try {
          results.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          first = first != null ? first : e.getCause() instanceof Exception x ? x : new IllegalStateException(e);
        }
      }
      if (first != null) {
        throw first;
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double finalTop1(TrainAndEvaluate.Result r) {
    return r.evaluations().isEmpty() ? 0 : r.evaluations().get(r.evaluations().size() - 1).top1();
  }

  private static double firstStep(TrainAndEvaluate.Result r, long start) {
    return r.firstStepNanos() == 0 ? -1 : (r.firstStepNanos() - start) / 1e9;
  }

  /** The job's own failure, as the exception the caller sees. */
  private static Exception failure(CompletableFuture<LocalFlinkRun.Outcome> job) {
    try {
      job.get();
      return new IllegalStateException("the preprocess job did not fail");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  /** Flink's own Prometheus reporter, as on a cluster: the dashboard's flink_* series come from here. */
  private Map<String, String> flinkReporter() {
    return config.flinkMetricsPort() == 0 ? Map.of() : Map.of(
        "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
        "metrics.reporter.prom.port", String.valueOf(config.flinkMetricsPort()));
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
