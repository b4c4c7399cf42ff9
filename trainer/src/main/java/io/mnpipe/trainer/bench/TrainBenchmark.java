package io.mnpipe.trainer.bench;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.BatchLoader;
import io.mnpipe.models.input.KafkaSampleSource;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.train.ModelTrainer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model and batch shape in, training throughput out twice: fed from a Kafka topic through the
 * trainer's own consumer path (KafkaSampleSource, BatchAssembler, the prefetching BatchLoader), and
 * fed the same batches already assembled in memory. Both run on one ModelTrainer in alternating
 * rounds, memory first and last. As in the trainer service, one consumer reads the whole run: the
 * topic holds a copy of the samples per round, and between pipeline rounds the loader sits on its
 * full prefetch queue while the memory round trains. The consumer's start-up (metadata, offsets,
 * first fetch) is the untimed warm-up round's and is reported on its own ({@code
 * firstBatchMillis}), since a run pays it once and not once per {@code steps} steps. The ratio is
 * the median of the per-round ratios: each pipeline round against the mean of the two memory rounds
 * around it, so a drift in machine speed over the run (tens of percent on a shared machine) cancels
 * instead of deciding it.
 */
public final class TrainBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(TrainBenchmark.class);

  /**
   * @param model canonical model name
   * @param imageSize side of the square samples
   * @param batchSize samples per step
   * @param steps steps per round (each round trains steps x batchSize samples)
   * @param warmupSteps untimed steps on the memory side before the warm-up pipeline round
   * @param rounds pipeline rounds (one more memory round brackets them); medians are reported
   * @param partitions partitions of the benchmark topic
   */
  public record Config(String model, int imageSize, int batchSize, int steps, int warmupSteps, int rounds,
      int partitions) {
    public Config {
      if (imageSize < 16 || batchSize < 2 || steps < 1 || warmupSteps < 0 || rounds < 1 || partitions < 1) {
        throw new IllegalArgumentException("need imageSize >= 16, batchSize >= 2, steps >= 1, warmupSteps >= 0,"
            + " rounds >= 1, partitions >= 1");
      }
    }
  }

  /**
   * Medians over the rounds. {@code ratio} is the median of {@code roundRatios} (each pipeline
   * round over the mean of the memory rounds before and after it); {@code dataWait} is the
   * pipeline's share of time spent waiting for batches; {@code loaderCpu} the loader thread's CPU
   * time (Kafka poll, Avro decoding, assembly) as a share of the pipeline round's wall time; {@code
   * firstBatchMillis} the time from creating the consumer to the first batch.
   */
  public record Result(String model, int imageSize, int batchSize, long imagesPerRound, int rounds,
      double pipelineImagesPerSecond, double memoryImagesPerSecond, double ratio, double[] roundRatios,
      double dataWait, double loaderCpu, double firstBatchMillis, String device) {}

  static final int CLASSES = 10;
  static final int WARMUP_BATCHES = 40;

  private final KafkaSettings kafka;
  private final Config config;

  public TrainBenchmark(KafkaSettings kafka, Config config) {
    this.kafka = kafka;
    this.config = config;
  }

  public Result run() throws Exception {
    int samples = config.steps() * config.batchSize();
    Topic<String, AugmentedSample> topic = Topics.samples("bench", "train" + System.currentTimeMillis(), "train");
    List<AugmentedSample> data = samples(samples);
    List<SampleBatch> batches = inMemory(data); // before publishing: nothing may have touched the buffers
    // The warm-up round reads at least WARMUP_BATCHES batches: enough for the JIT to compile the
    // consumer path, which the memory side never runs.
    int warmupCopies = Math.max(1, (WARMUP_BATCHES + config.steps() - 1) / config.steps());
    publish(topic, data, warmupCopies + config.rounds()); // the warm-up round's copies, then one per timed round

    Path dir = Files.createTempDirectory("mnpipe-bench-train-");
    TrainerConfig tc = TrainerConfig.builder(config.model(), CLASSES, dir).imageSize(config.imageSize())
        .batchSize(config.batchSize()).lr(0.01).runId("bench").build();
    double[] pipeline = new double[config.rounds()];
    double[] memory = new double[config.rounds() + 1];
    double[] waits = new double[config.rounds()];
    double[] cpu = new double[config.rounds()];
    double[] ratios = new double[config.rounds()];
    double firstBatchMillis;
    String device;
    // The LR schedule spans every step: warm-up, then the rounds from Kafka and the memory rounds around them.
    long totalSteps = config.warmupSteps() + (warmupCopies + 2L * config.rounds() + 1) * config.steps();
    try (ModelTrainer trainer = new ModelTrainer(tc, totalSteps)) {
      device = trainer.model().getNDManager().getDevice().toString();
      LOG.info("bench train: {} at {}x{}, batch {} on {}: {} warm-up steps from memory and {} from Kafka, then {}"
          + " rounds of {} steps from Kafka, each between two of {} steps from memory", config.model(),
          config.imageSize(), config.imageSize(), config.batchSize(), device, config.warmupSteps(),
          warmupCopies * config.steps(), config.rounds(), config.steps(), config.steps());
      for (int i = 0; i < config.warmupSteps(); i++) {
        trainer.step(batches.get(i % batches.size()));
      }
      long t0 = System.nanoTime();
      var source = new KafkaSampleSource(kafka, topic.name(), "mnpipe-bench-train", true, Duration.ofSeconds(30));
      var assembler = new BatchAssembler(config.batchSize(), config.imageSize(), CLASSES, 0);
      try (BatchLoader loader = new BatchLoader(source, assembler, 4, 2, "mnpipe-bench-loader").start()) {
        SampleBatch first = loader.next();
        firstBatchMillis = (System.nanoTime() - t0) / 1e6;
        if (first == null) {
          throw new IllegalStateException("the consumer path delivered no batch");
        }
        trainer.step(first);
        // The rest of the warm-up round: the consumer path's code gets compiled here, not in round 1.
        fromKafka(trainer, loader, warmupCopies * config.steps() - 1);
        // Memory, pipeline, memory, ...: each pipeline round is bracketed by two memory rounds and
        // compared with their mean, so a steady drift in machine speed cancels within every triple.
        memory[0] = fromMemory(trainer, batches);
        for (int r = 0; r < config.rounds(); r++) {
          double[] pw = fromKafka(trainer, loader, config.steps());
          pipeline[r] = pw[0];
          waits[r] = pw[1];
          cpu[r] = pw[2];
          memory[r + 1] = fromMemory(trainer, batches);
          ratios[r] = pipeline[r] / ((memory[r] + memory[r + 1]) / 2);
          LOG.info("round {}/{}: pipeline {} img/s (data wait {}%, loader cpu {}%) between memory {} and {} img/s,"
              + " ratio {}", r + 1, config.rounds(), String.format("%.1f", pipeline[r]),
              String.format("%.1f", 100 * waits[r]), String.format("%.1f", 100 * cpu[r]),
              String.format("%.1f", memory[r]), String.format("%.1f", memory[r + 1]), String.format("%.3f", ratios[r]));
        }
        if (loader.next() != null) {
          throw new IllegalStateException("the consumer path delivered more batches than the topic holds");
        }
      }
    } finally {
      try (TopicAdmin admin = new TopicAdmin(kafka)) {
        admin.admin().deleteTopics(List.of(topic.name())).all().get();
      } catch (Exception e) {
        LOG.warn("could not delete benchmark topic {}: {}", topic.name(), e.getMessage());
      }
    }
    return new Result(config.model(), config.imageSize(), config.batchSize(), samples, config.rounds(),
        median(pipeline), median(memory), median(ratios), ratios, median(waits), median(cpu), firstBatchMillis,
        device);
  }

  /** {@code steps} steps through the real consumer path; returns {images/s, data-wait fraction, loader CPU share}. */
  private double[] fromKafka(ModelTrainer trainer, BatchLoader loader, int steps) throws InterruptedException {
    long wait0 = loader.waitNanos();
    long cpu0 = loader.cpuNanos();
    long t0 = System.nanoTime();
    long images = 0;
    for (int i = 0; i < steps; i++) {
      SampleBatch b = loader.next();
      if (b == null) {
        throw new IllegalStateException("the consumer path ended after " + images + " images of a round of "
            + (long) steps * config.batchSize());
      }
      trainer.step(b);
      images += b.size();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (images != (long) steps * config.batchSize()) {
      throw new IllegalStateException("the consumer path delivered " + images + " images, expected "
          + (long) steps * config.batchSize());
    }
    return new double[] {images / seconds, (loader.waitNanos() - wait0) / 1e9 / seconds,
        (loader.cpuNanos() - cpu0) / 1e9 / seconds};
  }

  private double fromMemory(ModelTrainer trainer, List<SampleBatch> batches) {
    long t0 = System.nanoTime();
    long images = 0;
    for (SampleBatch b : batches) {
      trainer.step(b);
      images += b.size();
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }

  /** Random pixels with labels: throughput does not depend on what the pixels show. */
  private List<AugmentedSample> samples(int n) {
    return randomSamples(n, config.imageSize(), CLASSES);
  }

  /** {@code n} samples of random pixels at {@code size}x{@code size}, labels cycling through {@code classes}. */
  public static List<AugmentedSample> randomSamples(int n, int size, int classes) {
    SplittableRandom rng = new SplittableRandom(42);
    int bytes = size * size * 3;
    List<AugmentedSample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[bytes];
      for (int j = 0; j < bytes; j += 8) {
        long v = rng.nextLong();
        for (int k = 0; k < 8 && j + k < bytes; k++) {
          px[j + k] = (byte) (v >>> (8 * k));
        }
      }
      out.add(AugmentedSample.newBuilder().setKey(String.format("bench-%07d", i)).setLabel(i % classes).setEpoch(1)
          .setHeight(size).setWidth(size).setChannels(3).setPixels(ByteBuffer.wrap(px)).build());
    }
    return out;
  }

  /** {@code copies} copies of the samples, each under its own keys, every send checked. */
  private void publish(Topic<String, AugmentedSample> topic, List<AugmentedSample> data, int copies)
      throws Exception {
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), config.partitions())), Duration.ofSeconds(30));
    }
    try (var producer = new KafkaProducer<>(kafka.producer("mnpipe-bench-train"), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>(data.size() * copies);
      for (int c = 0; c < copies; c++) {
        for (AugmentedSample s : data) {
          String key = s.getKey() + "-" + c;
          sent.add(producer.send(new ProducerRecord<>(topic.name(), key, AugmentedSample.newBuilder(s).setKey(key)
              .build())));
        }
      }
      for (Future<RecordMetadata> f : sent) {
        f.get(); // every send checked
      }
    }
    LOG.info("bench train: {} samples x {} copies published to {} ({} partitions)", data.size(), copies,
        topic.name(), config.partitions());
  }

  /** The same samples as batches, assembled once, before any timing. */
  private List<SampleBatch> inMemory(List<AugmentedSample> data) {
    return batches(data, config.batchSize(), config.imageSize(), CLASSES);
  }

  /** {@code data} as full batches of {@code batchSize} (a short rest is dropped), assembled as the trainer does. */
  public static List<SampleBatch> batches(List<AugmentedSample> data, int batchSize, int size, int classes) {
    var assembler = new BatchAssembler(batchSize, size, classes, 0);
    List<SampleBatch> out = new ArrayList<>();
    for (AugmentedSample s : data) {
      SampleBatch b = assembler.add(s);
      if (b != null) {
        out.add(b);
      }
    }
    return out;
  }

  /** The median of {@code v} (the mean of the middle two when even). */
  public static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
