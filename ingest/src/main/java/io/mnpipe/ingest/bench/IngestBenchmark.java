package io.mnpipe.ingest.bench;

import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.schemas.Topics;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker and a record count in, publish throughput of {@link DatasetPublisher} (Avro records,
 * progress checkpoints, callbacks) against a plain producer loop sending the same bytes with the
 * same settings out, measured in alternating rounds in one run.
 */
public final class IngestBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(IngestBenchmark.class);

  /** Settings: records per round, bytes per image, rounds, partitions of each topic. */
  public record Config(int records, int imageBytes, int rounds, int partitions) {
    public Config {
      if (records < 10 || imageBytes < 16 || rounds < 1 || partitions < 1) {
        throw new IllegalArgumentException("bench needs records >= 10, image bytes >= 16, rounds >= 1, partitions >= 1");
      }
    }

    public static Config defaults() {
      return new Config(4000, 110 * 1024, 7, 8);
    }
  }

  /** Medians over the rounds; MB are 10^6 image bytes. */
  public record Result(int records, int imageBytes, int rounds, double recordsPerS, double mbPerS,
      double baselineRecordsPerS, double baselineMbPerS, double ratio, double[] pipelineRoundsMbPerS,
      double[] baselineRoundsMbPerS) {}

  private final KafkaSettings kafka;
  private final Config config;
  private final byte[][] images;

  public IngestBenchmark(KafkaSettings kafka, Config config) {
    this.kafka = kafka;
    this.config = config;
    // 32 distinct JPEG-signed payloads, cycled: real-sized records without GBs of heap.
    this.images = new byte[32][];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < images.length; i++) {
      images[i] = new byte[config.imageBytes()];
      rng.nextBytes(images[i]);
      images[i][0] = (byte) 0xFF;
      images[i][1] = (byte) 0xD8;
      images[i][2] = (byte) 0xFF;
    }
  }

  public Result run() {
    double[] pipeline = new double[config.rounds()];
    double[] baseline = new double[config.rounds()];
    round(-1); // warm-up: JIT, broker and producer start-up; not reported
    for (int r = 0; r < config.rounds(); r++) {
      double[] pb = round(r);
      pipeline[r] = pb[0];
      baseline[r] = pb[1];
    }
    double p = median(pipeline);
    double b = median(baseline);
    double mb = config.imageBytes() / 1e6;
    return new Result(config.records(), config.imageBytes(), config.rounds(), p / mb, p, b / mb, b, p / b, pipeline,
        baseline);
  }

  /** One round: both sides publish the same records to fresh topics, which are deleted after. */
  private double[] round(int r) {
    String suffix = "r" + r + "-" + System.nanoTime();
    String pipelineTopic = Topics.raw("bench", suffix, "train").name();
    String baselineTopic = "mnpipe.bench.baseline." + suffix;
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      // Topic creation is set-up, not throughput: both sides find their topics ready.
      admin.ensure(List.of(TopicAdmin.spec(pipelineTopic, config.partitions()),
          TopicAdmin.spec(Topics.rejected(pipelineTopic).name(), 1), TopicAdmin.compacted(Topics.DATASETS, 1),
          TopicAdmin.compacted(Topics.PUBLISH_PROGRESS, 1), TopicAdmin.spec(baselineTopic, config.partitions())),
          Duration.ofSeconds(60));
    }
    // Alternate which goes first so neither always meets a warmer broker.
    double p;
    double b;
    if (r % 2 == 0) {
      p = pipelineRound(suffix, pipelineTopic);
      b = baselineRound(baselineTopic);
    } else {
      b = baselineRound(baselineTopic);
      p = pipelineRound(suffix, pipelineTopic);
    }
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.admin().deleteTopics(List.of(pipelineTopic, baselineTopic, Topics.rejected(pipelineTopic).name())).all()
          .get();
    } catch (Exception e) {
      LOG.warn("could not delete bench topics: {}", e.toString());
    }
    LOG.info("{}: pipeline {} MB/s, plain producer {} MB/s", r < 0 ? "warm-up" : "round " + (r + 1),
        String.format("%.1f", p), String.format("%.1f", b));
    return new double[] {p, b};
  }

  private double pipelineRound(String version, String topic) {
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config(version, config.partitions(),
        config.imageBytes() + 1, Duration.ofSeconds(5), 1000));
    var source = new FixedSource();
    long t0 = System.nanoTime();
    var report = publisher.publish(source, "train", Topics.raw("bench", version, "train").named(topic));
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (report.published() != config.records()) {
      throw new IllegalStateException("bench published " + report.published() + " of " + config.records());
    }
    return report.bytes() / seconds / 1e6;
  }

  private double baselineRound(String topic) {
    AtomicReference<Exception> failure = new AtomicReference<>();
    long t0 = System.nanoTime();
    try (var producer = new KafkaProducer<>(kafka.producer("mnpipe-bench-baseline"), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < config.records(); i++) {
        producer.send(new ProducerRecord<>(topic, key(i), images[i % images.length]), (m, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      }
      producer.flush();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("baseline producer failed: " + failure.get().getMessage(), failure.get());
    }
    return (double) config.records() * config.imageBytes() / seconds / 1e6;
  }

  private static String key(int i) {
    return String.format("bench_%08d", i);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The benchmark's records as a dataset: one class, cycled payloads. */
  private final class FixedSource implements DatasetSource {
    public String name() {
      return "bench";
    }

    public String description() {
      return "bench:" + config;
    }

    public List<String> classNames() {
      return List.of("bench");
    }

    public OptionalLong expectedSize(String split) {
      return OptionalLong.of(config.records());
    }

    public Iterator<Sample> samples(String split) {
      return new Iterator<>() {
        int i = 0;

        public boolean hasNext() {
          return i < config.records();
        }

        public Sample next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          int n = i++;
          return new Sample(key(n), 0, "bench", images[n % images.length], "memory");
        }
      };
    }
  }
}
