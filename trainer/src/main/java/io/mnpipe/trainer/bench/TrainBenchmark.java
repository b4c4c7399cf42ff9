package io.mnpipe.trainer.bench;

import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.kafka.KafkaSettings;
import io.mnpipe.schemas.kafka.TopicAdmin;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.data.BatchAssembler;
import io.mnpipe.trainer.data.BatchLoader;
import io.mnpipe.trainer.data.KafkaSampleSource;
import io.mnpipe.trainer.data.SampleBatch;
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
 * fed the same batches already assembled in memory. Both run on one ModelTrainer, in alternating
 * rounds after a warm-up (the pipeline round timed from the consumer's start), so the ratio shows what the input path costs the trainer and nothing else.
 */
public final class TrainBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(TrainBenchmark.class);

  /**
   * @param model canonical model name
   * @param imageSize side of the square samples
   * @param batchSize samples per step
   * @param steps steps per round (each round trains steps x batchSize samples)
   * @param warmupSteps untimed steps before the first round (JIT, allocator, libtorch kernels)
   * @param rounds rounds of each kind; medians are reported
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

  /** Medians over the rounds; {@code dataWait} is the pipeline's share of time spent waiting for batches. */
  public record Result(String model, int imageSize, int batchSize, long imagesPerRound, int rounds,
      double pipelineImagesPerSecond, double memoryImagesPerSecond, double ratio, double dataWait, String device) {}

  static final int CLASSES = 10;

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
    publish(topic, data);

    Path dir = Files.createTempDirectory("mnpipe-bench-train-");
    TrainerConfig tc = TrainerConfig.builder(config.model(), CLASSES, dir).imageSize(config.imageSize())
        .batchSize(config.batchSize()).lr(0.01).runId("bench").build();
    double[] pipeline = new double[config.rounds()];
    double[] memory = new double[config.rounds()];
    double[] waits = new double[config.rounds()];
    String device;
    try (ModelTrainer trainer = new ModelTrainer(tc, (long) (config.warmupSteps() + 2L * config.rounds()
        * config.steps()))) {
      device = trainer.model().getNDManager().getDevice().toString();
      LOG.info("bench train: {} at {}x{}, batch {} on {}: {} warm-up steps, then {} rounds of {} steps each way",
          config.model(), config.imageSize(), config.imageSize(), config.batchSize(), device, config.warmupSteps(),
          config.rounds(), config.steps());
      for (int i = 0; i < config.warmupSteps(); i++) {
        trainer.step(batches.get(i % batches.size()));
      }
      for (int r = 0; r < config.rounds(); r++) {
        // Alternating which goes first, so a drift in machine speed favours neither side.
        if (r % 2 == 1) {
          memory[r] = fromMemory(trainer, batches);
        }
        double[] pw = fromKafka(trainer, topic.name(), r);
        pipeline[r] = pw[0];
        waits[r] = pw[1];
        if (r % 2 == 0) {
          memory[r] = fromMemory(trainer, batches);
        }
        LOG.info("round {}/{}: pipeline {} img/s (data wait {}%), memory {} img/s", r + 1, config.rounds(),
            String.format("%.1f", pipeline[r]), String.format("%.1f", 100 * waits[r]), String.format("%.1f",
                memory[r]));
      }
    } finally {
      try (TopicAdmin admin = new TopicAdmin(kafka)) {
        admin.admin().deleteTopics(List.of(topic.name())).all().get();
      } catch (Exception e) {
        LOG.warn("could not delete benchmark topic {}: {}", topic.name(), e.getMessage());
      }
    }
    double p = median(pipeline);
    double m = median(memory);
    return new Result(config.model(), config.imageSize(), config.batchSize(), samples, config.rounds(), p, m, p / m,
        median(waits), device);
  }

  /** One round through the real consumer path; returns {images/s, data-wait fraction}. */
  private double[] fromKafka(ModelTrainer trainer, String topic, int round) throws Exception {
    long t0 = System.nanoTime();
    long images = 0;
    var source = new KafkaSampleSource(kafka, topic, "mnpipe-bench-train-" + round, true, Duration.ofSeconds(30));
    var assembler = new BatchAssembler(config.batchSize(), config.imageSize(), CLASSES, 0);
    try (BatchLoader loader = new BatchLoader(source, assembler, 4, 2, "mnpipe-bench-loader").start()) {
      SampleBatch b;
      while ((b = loader.next()) != null) {
        trainer.step(b);
        images += b.size();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (images != (long) config.steps() * config.batchSize()) {
        throw new IllegalStateException("the consumer path delivered " + images + " images, expected "
            + (long) config.steps() * config.batchSize());
      }
      return new double[] {images / seconds, loader.waitNanos() / 1e9 / seconds};
    }
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
    SplittableRandom rng = new SplittableRandom(42);
    int bytes = config.imageSize() * config.imageSize() * 3;
    List<AugmentedSample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[bytes];
      for (int j = 0; j < bytes; j += 8) {
        long v = rng.nextLong();
        for (int k = 0; k < 8 && j + k < bytes; k++) {
          px[j + k] = (byte) (v >>> (8 * k));
        }
      }
      out.add(AugmentedSample.newBuilder().setKey(String.format("bench-%07d", i)).setLabel(i % CLASSES).setEpoch(1)
          .setHeight(config.imageSize()).setWidth(config.imageSize()).setChannels(3).setPixels(ByteBuffer.wrap(px))
          .build());
    }
    return out;
  }

  private void publish(Topic<String, AugmentedSample> topic, List<AugmentedSample> data) throws Exception {
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), config.partitions())), Duration.ofSeconds(30));
    }
    try (var producer = new KafkaProducer<>(kafka.producer("mnpipe-bench-train"), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>(data.size());
      for (AugmentedSample s : data) {
        sent.add(producer.send(new ProducerRecord<>(topic.name(), s.getKey(), s)));
      }
      for (Future<RecordMetadata> f : sent) {
        f.get(); // every send checked
      }
    }
    LOG.info("bench train: {} samples published to {} ({} partitions)", data.size(), topic.name(),
        config.partitions());
  }

  /** The same samples as batches, assembled once, before any timing. */
  private List<SampleBatch> inMemory(List<AugmentedSample> data) {
    var assembler = new BatchAssembler(config.batchSize(), config.imageSize(), CLASSES, 0);
    List<SampleBatch> out = new ArrayList<>();
    for (AugmentedSample s : data) {
      SampleBatch b = assembler.add(s);
      if (b != null) {
        out.add(b);
      }
    }
    return out;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
