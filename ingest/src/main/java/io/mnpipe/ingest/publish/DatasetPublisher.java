package io.mnpipe.ingest.publish;

import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.PublishProgress;
import io.mnpipe.schemas.avro.RawImage;
import io.prometheus.metrics.core.metrics.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset split in, Avro {@link RawImage} records on a Kafka topic out, plus a manifest on the
 * datasets topic once the split is complete. Inputs it refuses go to {@code <topic>.rejected}
 * with the reason. Every {@code checkpointEvery} samples it records a resume point, so running
 * the same publish again after a crash finishes the split without duplicates or gaps.
 */
public final class DatasetPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetPublisher.class);
  static final Counter PUBLISHED = Counter.builder().name("mnpipe_ingest_records_total")
      .help("Image records published to Kafka").labelNames("dataset", "split").register();
  static final Counter REJECTED = Counter.builder().name("mnpipe_ingest_rejected_total")
      .help("Inputs refused by ingest (empty, too large, not an image, unlabelled)").labelNames("dataset", "split")
      .register();

  /** Settings of one publish run. */
  public record Config(String version, int partitions, long maxImageBytes, Duration progressEvery,
      int checkpointEvery) {
    public Config {
      if (version == null || version.isBlank()) {
        throw new IllegalArgumentException("version must not be blank");
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
      }
      if (maxImageBytes < 1 || maxImageBytes > KafkaSettings.MAX_RECORD_BYTES - 64 * 1024) {
        throw new IllegalArgumentException("max image bytes must be 1.." + (KafkaSettings.MAX_RECORD_BYTES - 64 * 1024)
            + ", got " + maxImageBytes);
      }
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException("checkpoint interval must be >= 1 record, got " + checkpointEvery);
      }
    }

    public Config(String version, int partitions, long maxImageBytes, Duration progressEvery) {
      this(version, partitions, maxImageBytes, progressEvery, 5000);
    }

    public static Config defaults() {
      return new Config("v1", 8, 10L * 1024 * 1024, Duration.ofSeconds(5), 5000);
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

  /** Publishes every sample of {@code split} not yet in {@code topic}; returns once all are acknowledged. */
  public PublishReport publish(DatasetSource source, String split, Topic<String, RawImage> topic) {
    Topic<String, DeadLetter> rejectedTopic = Topics.rejected(topic.name());
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), config.partitions()),
          TopicAdmin.spec(rejectedTopic.name(), 1), TopicAdmin.compacted(Topics.DATASETS, 1),
          TopicAdmin.compacted(Topics.PUBLISH_PROGRESS, 1)), Duration.ofSeconds(60));
    }
    long start = System.nanoTime();
    int classes = source.classNames().size();
    ResumePoint resume = ResumePoint.load(kafka, topic, source.description(), classes);
    if (resume.complete()) {
      LOG.info("{} already holds the complete split ({} records); nothing to publish", topic.name(), resume.published());
      return new PublishReport(topic.name(), resume.published(), resume.published(), resume.bytes(), resume.counts(),
          List.of(), (System.nanoTime() - start) / 1e9);
    }
    try (PublishRun run = new PublishRun(kafka, source, split, topic, rejectedTopic, resume)) {
      sendAll(source, split, resume, run);
      run.checkpoint(run.index, true);
      publishManifest(source, split, topic.name(), run);
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info("published {}/{} to {}: {} records ({} resumed), {} MB, {} rejected, {} s", source.name(), split,
          topic.name(), run.published, resume.published(), String.format("%.1f", run.bytes / 1e6), run.rejected,
          String.format("%.1f", seconds));
      return new PublishReport(topic.name(), run.published, resume.published(), run.bytes, run.counts.clone(),
          List.copyOf(run.rejectedNow), seconds);
    }
  }

  private void sendAll(DatasetSource source, String split, ResumePoint resume, PublishRun run) {
    // Samples before the recorded checkpoint are covered; the source skips them, reading nothing if it can.
    Iterator<Sample> it = source.samples(split, resume.nextIndex());
    run.index = resume.nextIndex();
    Progress progress = new Progress("publish " + run.topic.name(), source.expectedSize(split), config.progressEvery());
    long sinceCheckpoint = 0;
    while (it.hasNext()) {
      Sample s = it.next();
      run.index++;
      if (resume.present().remove(s.key()) || resume.presentRejected().remove(s.key())) {
        continue; // reached Kafka after the last checkpoint of an earlier run
      }
      String reason = refuse(s, source.classNames().size());
      if (reason != null) {
        run.reject(s, reason);
      } else {
        run.send(s);
      }
      if (++sinceCheckpoint >= config.checkpointEvery()) {
        run.checkpoint(run.index, false);
        sinceCheckpoint = 0;
      }
      progress.tick(run.published - resume.published(), run.bytes - resume.bytes());
    }
    progress.done();
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
    if (ImageSniffer.format(s.image()) == null) {
      return "not an image: no JPEG/PNG/GIF/BMP/WebP/TIFF signature in the first bytes "
          + ImageSniffer.head(s.image(), 8);
    }
    if (s.label() < 0 || s.label() >= classes) {
      return "label " + s.label() + " outside 0.." + (classes - 1);
    }
    return null;
  }

  private void publishManifest(DatasetSource source, String split, String topic, PublishRun run) {
    Topic<String, DatasetManifest> manifests = Topics.datasets();
    List<Long> perClass = new ArrayList<>();
    for (long c : run.counts) {
      perClass.add(c);
    }
    DatasetManifest m = DatasetManifest.newBuilder().setName(source.name()).setVersion(config.version())
        .setSplit(split).setTopic(topic).setClassNames(source.classNames()).setCounts(perClass)
        .setTotal(run.published).setBytes(run.bytes).setRejected(run.rejected).setSchemaVersion(1)
        .setSource(source.description()).setTime(Instant.now()).build();
    run.sendSide(manifests, source.name() + "/" + config.version() + "/" + split, m);
  }

  /** End offsets by partition as the progress record stores them. */
  static Map<String, Long> offsetsForProgress(Map<Integer, Long> offsets) {
    Map<String, Long> m = new TreeMap<>();
    offsets.forEach((p, o) -> m.put(String.valueOf(p), o));
    return m;
  }

  static PublishProgress progress(String topic, String source, long next, Map<Integer, Long> offsets,
      long rejectedOffset, long published, long rejected, long bytes, long[] counts, boolean complete) {
    List<Long> c = new ArrayList<>();
    for (long v : counts) {
      c.add(v);
    }
    return PublishProgress.newBuilder().setTopic(topic).setSource(source).setNextIndex(next)
        .setOffsets(offsetsForProgress(offsets)).setRejectedOffset(rejectedOffset).setPublished(published)
        .setRejected(rejected).setBytes(bytes).setCounts(c).setComplete(complete).setTime(Instant.now()).build();
  }

  static void trackOffset(Map<Integer, Long> offsets, RecordMetadata meta) {
    offsets.merge(meta.partition(), meta.offset() + 1, Math::max);
  }
}
