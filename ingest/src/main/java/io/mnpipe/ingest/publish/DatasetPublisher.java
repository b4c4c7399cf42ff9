package io.mnpipe.ingest.publish;

import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.RawImage;
import io.mnpipe.schemas.kafka.KafkaSettings;
import io.mnpipe.schemas.kafka.TopicAdmin;
import io.prometheus.metrics.core.metrics.Counter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset split in, Avro {@link RawImage} records on a Kafka topic out, plus a manifest on the
 * datasets topic once the split is complete. Inputs it refuses go to {@code <topic>.rejected}.
 */
public final class DatasetPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetPublisher.class);
  static final Counter PUBLISHED = Counter.builder().name("mnpipe_ingest_records_total")
      .help("Image records published to Kafka").labelNames("dataset", "split").register();
  static final Counter REJECTED = Counter.builder().name("mnpipe_ingest_rejected_total")
      .help("Inputs refused by ingest (empty, too large, unreadable)").labelNames("dataset", "split").register();

  /** Settings of one publish run. */
  public record Config(String version, int partitions, long maxImageBytes, Duration progressEvery) {
    public Config {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
      }
      if (maxImageBytes < 1 || maxImageBytes > KafkaSettings.MAX_RECORD_BYTES - 64 * 1024) {
        throw new IllegalArgumentException("max image bytes must be 1.." + (KafkaSettings.MAX_RECORD_BYTES - 64 * 1024));
      }
    }

    public static Config defaults() {
      return new Config("v1", 4, 10L * 1024 * 1024, Duration.ofSeconds(5));
    }
  }

  private final KafkaSettings kafka;
  private final Config config;

  public DatasetPublisher(KafkaSettings kafka, Config config) {
    this.kafka = kafka;
    this.config = config;
  }

  /** The topic a split of {@code source} goes to unless the user names one. */
  public Topic<String, RawImage> defaultTopic(DatasetSource source, String split) {
    return Topics.raw(source.name(), config.version(), split);
  }

  /** Publishes every sample of {@code split}; returns once all are acknowledged. */
  public PublishReport publish(DatasetSource source, String split, Topic<String, RawImage> topic) {
    Topic<String, DeadLetter> rejectedTopic = Topics.rejected(topic.name());
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), config.partitions()),
          TopicAdmin.spec(rejectedTopic.name(), 1), TopicAdmin.compacted(Topics.DATASETS, 1)), Duration.ofSeconds(60));
    }
    long start = System.nanoTime();
    long[] counts = new long[source.classNames().size()];
    List<String> rejected = Collections.synchronizedList(new ArrayList<>());
    AtomicLong acked = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Progress progress = new Progress("publish " + topic.name(), source.expectedSize(split), config.progressEvery());
    try (var producer = new KafkaProducer<>(kafka.producer("mnpipe-ingest-" + source.name()),
        topic.keySerde().serializer(), topic.valueSerde().serializer());
        var rejects = new KafkaProducer<>(kafka.producer("mnpipe-ingest-rejects"),
            rejectedTopic.keySerde().serializer(), rejectedTopic.valueSerde().serializer())) {
      Iterator<Sample> it = source.samples(split);
      while (it.hasNext() && failure.get() == null) {
        Sample s = it.next();
        String reason = refuse(s, counts.length);
        if (reason != null) {
          rejected.add(s.key() + ": " + reason);
          REJECTED.labelValues(source.name(), split).inc();
          LOG.warn("rejected {} ({}): {}", s.key(), s.source(), reason);
          rejects.send(new ProducerRecord<>(rejectedTopic.name(), s.key(), deadLetter(s, reason))).get();
          continue;
        }
        RawImage r = RawImage.newBuilder().setDataset(source.name()).setSplit(split).setKey(s.key())
            .setLabel(s.label()).setClassId(s.classId()).setImage(ByteBuffer.wrap(s.image()))
            .setSource(s.source()).build();
        counts[s.label()]++;
        int size = s.image().length;
        producer.send(new ProducerRecord<>(topic.name(), s.key(), r), (meta, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          } else {
            acked.incrementAndGet();
            bytes.addAndGet(size);
            PUBLISHED.labelValues(source.name(), split).inc();
          }
        });
        progress.tick(acked.get(), bytes.get());
      }
      producer.flush();
      if (failure.get() != null) {
        throw new IllegalStateException("publishing to " + topic.name() + " failed after " + acked.get()
            + " records: " + failure.get().getMessage(), failure.get());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      publishManifest(source, split, topic.name(), counts, acked.get(), bytes.get(), rejected.size());
      LOG.info("published {} records ({} MB) of {}/{} to {} in {} s, {} rejected", acked.get(),
          String.format("%.1f", bytes.get() / 1e6), source.name(), split, topic.name(),
          String.format("%.1f", seconds), rejected.size());
      return new PublishReport(topic.name(), acked.get(), bytes.get(), counts, List.copyOf(rejected), seconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing " + topic.name(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write to " + rejectedTopic.name() + ": " + e.getCause().getMessage(), e);
    }
  }

  /** Why a sample must not reach Kafka, or null if it may. */
  String refuse(Sample s, int classes) {
    if (s.isRejected()) {
      return s.rejectReason();
    }
    if (s.image() == null || s.image().length == 0) {
      return "empty file (0 bytes)";
    }
    if (s.image().length > config.maxImageBytes()) {
      return "image of " + s.image().length + " bytes exceeds the limit of " + config.maxImageBytes()
          + " bytes (raise --max-image-bytes, and the topic's max.message.bytes with it)";
    }
    if (s.label() < 0 || s.label() >= classes) {
      return "label " + s.label() + " outside 0.." + (classes - 1);
    }
    return null;
  }

  private static DeadLetter deadLetter(Sample s, String reason) {
    return DeadLetter.newBuilder().setKey(s.key()).setStage("ingest").setReason(reason).setSource(s.source())
        .setPayload(ByteBuffer.wrap(s.image() == null ? new byte[0] : s.image())).setTime(Instant.now()).build();
  }

  private void publishManifest(DatasetSource source, String split, String topic, long[] counts, long total,
      long bytes, long rejected) throws InterruptedException, ExecutionException {
    Topic<String, DatasetManifest> manifests = Topics.datasets();
    List<Long> perClass = new ArrayList<>();
    for (long c : counts) {
      perClass.add(c);
    }
    DatasetManifest m = DatasetManifest.newBuilder().setName(source.name()).setVersion(config.version())
        .setSplit(split).setTopic(topic).setClassNames(source.classNames()).setCounts(perClass).setTotal(total)
        .setBytes(bytes).setRejected(rejected).setSchemaVersion(1).setSource(source.description())
        .setTime(Instant.now()).build();
    try (var producer = new KafkaProducer<>(kafka.producer("mnpipe-ingest-manifest"),
        manifests.keySerde().serializer(), manifests.valueSerde().serializer())) {
      String key = source.name() + "/" + config.version() + "/" + split;
      producer.send(new ProducerRecord<>(manifests.name(), key, m)).get();
    }
  }
}
