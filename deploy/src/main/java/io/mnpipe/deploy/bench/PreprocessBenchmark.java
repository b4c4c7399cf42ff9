package io.mnpipe.deploy.bench;

import io.mnpipe.deploy.flink.FlinkRestClient;
import io.mnpipe.deploy.flink.LocalFlinkRun;
import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.publish.PublishReport;
import io.mnpipe.ingest.source.ImageNetFolder;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.bench.DecodeBenchmark;
import io.mnpipe.preprocess.flink.EpochImage;
import io.mnpipe.preprocess.flink.FaultTolerance;
import io.mnpipe.preprocess.flink.KafkaPasses;
import io.mnpipe.preprocess.flink.PreprocessJob;
import io.mnpipe.preprocess.flink.ResidentState;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.schemas.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ImageNet-layout tree and a broker in; the real preprocess job's throughput (raw topic to samples
 * topic, checkpoints and transactions on, on a MiniCluster) against bare decode + augmentation of
 * the same files on one core times the job's parallelism, measured before and after the job in the
 * same run, out. Publishing is not timed.
 */
public final class PreprocessBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(PreprocessBenchmark.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * @param tree an ILSVRC2012-layout directory with train/
   * @param size crop size of the train preset
   * @param parallelism of the job (and the multiplier of the one-core baseline)
   * @param shuffleBufferBytes the job's shuffle buffer cap per subtask
   * @param checkpointDir where the job checkpoints
   * @param checkpointInterval how often (each checkpoint flushes and commits the sinks' transactions)
   * @param decodeSeconds seconds of bare decoding measured before and after the job, each
   * @param shuffleStateImages checkpoint the shuffle buffer's images themselves, not references to
   *     them (the comparison that chose references)
   * @param epochs epochs of the raw topic the timed job replays; with more than one, the rate and the
   *     CPU shares are those of the epochs after the first (steady state: the JIT still compiles the
   *     new job's paths in its first seconds), and the first epoch's rate is reported beside them
   */
  public record Config(Path tree, int size, int parallelism, long shuffleBufferBytes, Path checkpointDir,
      Duration checkpointInterval, int decodeSeconds, boolean shuffleStateImages, int epochs) {
    public Config {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      }
    }
  }

  /**
   * @param images raw records published
   * @param samples samples the job wrote
   * @param imagesPerS the job's rate between its first and its last written sample; with several
   *     epochs, between the first sample of epoch 2 and the last sample
   * @param firstEpochImagesPerS the rate over the first epoch's samples (= imagesPerS for one epoch)
   * @param jobSeconds submission to end, start-up and the final commit included
   * @param decodeOnlyImagesPerS bare decode + augmentation per core (mean of before and after) x parallelism
   */
  public record Result(long images, long meanBytes, long samples, int parallelism, double imagesPerS,
      double firstEpochImagesPerS, int epochs, double jobSeconds, double decodeOnlyImagesPerS, double ratio,
      long checkpoints, long checkpointsFailed, long checkpointBytesMax, long checkpointMsMax, long restarts,
      String decoder, CpuShares cpu) {

    /** The ratio had the broker's CPU been on machines of its own, as in any deployment. */
    public double ratioBrokerElsewhere() {
      return cpu.broker() >= 1 ? 0 : imagesPerS / (decodeOnlyImagesPerS * (1 - cpu.broker()));
    }
  }

  /**
   * Where the machine's CPU went while the job wrote its samples, as shares of the cores: the job's
   * task threads (decode, augment, Avro, Kafka client calls), the in-process broker's threads, the
   * JVM's own (JIT compiler, GC), and the rest (Kafka client I/O threads, Flink's runtime).
   */
  public record CpuShares(double tasks, double broker, double jvm, double other) {}

  private final KafkaSettings kafka;
  private final Config config;

  public PreprocessBenchmark(KafkaSettings kafka, Config config) {
    this.kafka = kafka;
    this.config = config;
  }

  public Result run() throws Exception {
    // Threads alive now (but this one) are the broker's when it is embedded: nothing else runs yet.
    Set<Long> broker = new HashSet<>();
    for (long id : THREADS.getAllThreadIds()) {
      broker.add(id);
    }
    broker.remove(Thread.currentThread().getId());
    PublishReport raw = publishAndWarmUp();
    DecodeBenchmark.Config decode = new DecodeBenchmark.Config(config.tree().resolve("train"), config.size(),
        Duration.ofSeconds(2), Duration.ofSeconds(config.decodeSeconds()), 5000, false);
    DecodeBenchmark.Result before = DecodeBenchmark.run(decode);
    LOG.info("bare decode + augment before the job: {} images/s on one core ({})", Math.round(before.imagesPerS()),
        before.decoder());
    String samples = samplesTopic("bench" + System.currentTimeMillis());
    try (WrittenProbe probe = probe(samples, broker, raw)) {
      LocalFlinkRun.Outcome job = job(raw.topic(), samples, probe, config.epochs());
      DecodeBenchmark.Result after = DecodeBenchmark.run(decode);
      LOG.info("bare decode + augment after the job: {} images/s on one core", Math.round(after.imagesPerS()));
      double perCore = (before.imagesPerS() + after.imagesPerS()) / 2;
      double baseline = perCore * config.parallelism();
      double rate = probe.rate();
      FlinkRestClient.CheckpointStats ck = job.seen().checkpoints();
      return new Result(raw.published(), raw.bytes() / Math.max(1, raw.published()), probe.last, config.parallelism(),
          rate, probe.firstEpochRate(), config.epochs(), job.seconds(), baseline, rate / baseline, ck.completed(),
          job.seen().checkpointsFailed(), ck.maxStateBytes(), ck.maxDurationMs(), job.seen().restarts(),
          before.decoder(), probe.cpu());
    }
  }

  /**
   * Publishes the tree's train split to a raw topic (not timed) and runs the job over it once,
   * untimed: the JIT compiles Flink's, Kafka's and our paths (C2 took a quarter of both cores in the
   * first seconds of a cold job), as in a long run.
   */
  public PublishReport publishAndWarmUp() throws Exception {
    var source = new ImageNetFolder("bench", config.tree());
    String version = "bench" + System.currentTimeMillis();
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config(version, 2 * config.parallelism(),
        10L << 20, Duration.ofSeconds(10)));
    PublishReport raw = publisher.publish(source, "train", publisher.defaultTopic(source, "train"));
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(Topics.deadLetters(raw.topic()).name(), 1)), Duration.ofSeconds(60));
    }
    LOG.info("warm-up job (not timed)");
    job(raw.topic(), samplesTopic(version + "-warmup"), null, 1);
    return raw;
  }

  /**
   * One timed run of the job: samples per second between the first (or, over several epochs, the
   * first of epoch 2) and the last written, and the samples topic's summed end offsets after it
   * (samples plus a few transaction markers).
   */
  public record TimedJob(double imagesPerS, long endOffsets) {}

  /**
   * One timed run of the job over {@code raw} (from {@link #publishAndWarmUp}) into a fresh samples
   * topic, replaying it for {@link Config#epochs()} epochs: with more than one, timed over the epochs
   * after the first, as {@link #run()} does.
   */
  public TimedJob timedJob(PublishReport raw) throws Exception {
    String samples = samplesTopic("bench" + System.currentTimeMillis());
    try (WrittenProbe probe = probe(samples, Set.of(), raw)) {
      job(raw.topic(), samples, probe, config.epochs());
      return new TimedJob(probe.rate(), probe.last);
    }
  }

  private String samplesTopic(String version) throws Exception {
    String samples = Topics.samples("bench", version, "train").name();
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(samples, 2 * config.parallelism())), Duration.ofSeconds(60));
    }
    return samples;
  }

  /** A probe of {@code samples}; over several epochs its steady window opens once the first epoch's are written. */
  private WrittenProbe probe(String samples, Set<Long> brokerThreads, PublishReport raw) {
    return new WrittenProbe(kafka, samples, brokerThreads, config.parallelism(),
        config.epochs() > 1 ? raw.published() : 0);
  }

  /** One run of the job, raw topic to samples topic; the probe, when given, stops when the job ends. */
  private LocalFlinkRun.Outcome job(String raw, String samples, WrittenProbe probe, int epochs) throws Exception {
    PreprocessJob.Pass refs = KafkaPasses.epochs(kafka, "bench", raw, samples, AugmentPreset.train(config.size(), 1),
        1, epochs, 1024, config.shuffleBufferBytes());
    PreprocessJob.Pass pass = !config.shuffleStateImages() ? refs : new PreprocessJob.Pass(refs.name(), refs.source(),
        refs.preset(), new PreprocessJob.Shuffle(1024, config.shuffleBufferBytes(),
            ResidentState.whole(TypeInformation.of(EpochImage.class))), refs.samples(), refs.deadLetters());
    FaultTolerance d = FaultTolerance.defaults(config.checkpointDir().toUri());
    FaultTolerance ft = new FaultTolerance(d.checkpointDir(), d.stateBackend(), config.checkpointInterval(), 0,
        d.restartDelay(), 0);
    LocalFlinkRun.Outcome out = LocalFlinkRun.run("mnpipe-bench-preprocess", "preprocess job", config.parallelism(), ft,
        Map.of(), env -> new PreprocessJob(List.of(pass), ImageDecoder.DEFAULT_MAX_PIXELS, 1).build(env));
    if (probe != null) {
      probe.stop();
    }
    return out;
  }

  /**
   * Polls the samples topic's end offsets (uncommitted records included) every 50 ms: when the job
   * wrote its first and its last sample. Transaction markers count as offsets; a handful per
   * checkpoint against thousands of samples.
   */
  private static final class WrittenProbe implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> parts;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long firstNanos;
    private volatile long lastNanos;
    private volatile long first;
    private volatile long last;
    private final long steadyAfter; // samples written before the steady window opens; 0 = none
    private volatile long steadyNanos;
    private volatile long steady;
    private final Set<Long> brokerThreads;
    private final int cores;
    private Map<Long, long[]> cpuAtFirst = Map.of(); // thread id -> {cpu ns}
    private Map<Long, long[]> cpuAtSteady = Map.of();
    private long processCpuAtSteady;
    private Map<Long, long[]> cpuAtLast = Map.of();
    private long processCpuAtFirst;
    private long processCpuAtLast;
    private final Map<Long, String> names = new HashMap<>();

    WrittenProbe(KafkaSettings kafka, String topic, Set<Long> brokerThreads, int cores, long steadyAfter) {
      this.brokerThreads = brokerThreads;
      this.steadyAfter = steadyAfter;
      this.cores = cores;
      Properties p = kafka.consumer(null, "mnpipe-bench-probe");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      // Assigned (never polled): endOffsets of unassigned partitions logs a warning per partition per call.
      consumer.assign(parts);
      thread = new Thread(this::poll, "bench-written-probe");
      thread.setDaemon(true);
      thread.start();
    }

    private void poll() {
      while (!stopped) {
        long n = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        long now = System.nanoTime();
        if (n > 0 && first == 0) {
          first = n;
          firstNanos = now;
          cpuAtFirst = threadCpu();
          processCpuAtFirst = processCpu();
        }
        if (steadyAfter > 0 && n >= steadyAfter && steady == 0 && n > first && now > firstNanos) {
          // From here on the window is the steady state's; before it, the first epoch's.
          steady = n;
          steadyNanos = now;
          cpuAtSteady = threadCpu();
          processCpuAtSteady = processCpu();
        }
        if (n > last) {
          last = n;
          lastNanos = now;
          cpuAtLast = threadCpu();
          processCpuAtLast = processCpu();
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private Map<Long, long[]> threadCpu() {
      Map<Long, long[]> m = new HashMap<>();
      for (long id : THREADS.getAllThreadIds()) {
        long t = THREADS.getThreadCpuTime(id);
        if (t >= 0) {
          m.put(id, new long[] {t});
          names.computeIfAbsent(id, i -> {
            var info = THREADS.getThreadInfo(i);
            return info == null ? "" : info.getThreadName();
          });
        }
      }
      // A thread that ended keeps what it used.
      cpuAtLast.forEach(m::putIfAbsent);
      return m;
    }

    private static long processCpu() {
      return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
          ? os.getProcessCpuTime() : 0;
    }

    /**
     * Whether the steady window saw samples written after it opened. A short job may write all of
     * its later epochs within one poll; its figures are then the whole job's.
     */
    private boolean steadyWindow() {
      return steady > 0 && last > steady && lastNanos > steadyNanos;
    }

    /** CPU shares of the cores between the first (or the steady window's first) and the last sample written. */
    CpuShares cpu() {
      boolean s = steadyWindow();
      Map<Long, long[]> atStart = s ? cpuAtSteady : cpuAtFirst;
      double window = (lastNanos - (s ? steadyNanos : firstNanos)) * (double) cores;
      if (window <= 0) {
        return new CpuShares(0, 0, 0, 0);
      }
      double tasks = 0;
      double brokers = 0;
      double threads = 0;
      for (var e : cpuAtLast.entrySet()) {
        long used = e.getValue()[0] - atStart.getOrDefault(e.getKey(), new long[] {0})[0];
        threads += used;
        if (brokerThreads.contains(e.getKey())) {
          brokers += used;
        } else if (names.getOrDefault(e.getKey(), "").startsWith("Source: ")) {
          tasks += used;
        }
      }
      double jvm = Math.max(0, processCpuAtLast - (s ? processCpuAtSteady : processCpuAtFirst) - threads);
      return new CpuShares(tasks / window, brokers / window, jvm / window, (threads - tasks - brokers) / window);
    }

    /**
     * Samples per second from the first poll that saw any (or, with a steady window, the poll that saw
     * it open) to the poll that saw the last.
     */
    double rate() {
      boolean s = steadyWindow();
      long from = s ? steady : first;
      long fromNanos = s ? steadyNanos : firstNanos;
      return lastNanos > fromNanos ? (last - from) / ((lastNanos - fromNanos) / 1e9) : 0;
    }

    /** The rate over the first epoch's samples, or the whole rate without a steady window. */
    double firstEpochRate() {
      return steadyWindow() ? (steady - first) / ((steadyNanos - firstNanos) / 1e9) : rate();
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join(5_000);
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
