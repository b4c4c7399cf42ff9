package io.mnpipe.ingest.publish;

import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.PublishProgress;
import io.mnpipe.schemas.avro.RawImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one publish while it runs: producers, counts, acknowledged offsets, and the
 * checkpoints that make it resumable. Producer callbacks update it from Kafka's I/O thread.
 */
final class PublishRun implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PublishRun.class);

  final Topic<String, RawImage> topic;
  private final Topic<String, DeadLetter> rejectedTopic;
  private final DatasetSource source;
  private final String split;
  private final KafkaProducer<String, RawImage> producer;
  /** Rejects, progress and the manifest: rare, small records of several types, one producer. */
  private final KafkaProducer<String, byte[]> side;
  private final Map<Integer, Long> offsets;
  private final ConcurrentLinkedQueue<Sample> tooLarge = new ConcurrentLinkedQueue<>();
  private volatile Exception failure;
  private long rejectedOffset;

  final long[] counts;
  final List<String> rejectedNow = new ArrayList<>();
  long index;
  long published;
  long bytes;
  long rejected;

  PublishRun(KafkaSettings kafka, DatasetSource source, String split, Topic<String, RawImage> topic,
      Topic<String, DeadLetter> rejectedTopic, ResumePoint resume) {
    this.topic = topic;
    this.rejectedTopic = rejectedTopic;
    this.source = source;
    this.split = split;
    // Series at 0 from the start: a dashboard shows "no rejects" rather than "no data".
    DatasetPublisher.PUBLISHED.labelValues(source.name(), split);
    DatasetPublisher.REJECTED.labelValues(source.name(), split);
    this.offsets = new HashMap<>(resume.offsets());
    this.rejectedOffset = resume.rejectedOffset();
    this.counts = resume.counts().clone();
    this.published = resume.published();
    this.bytes = resume.bytes();
    this.rejected = resume.rejected();
    String id = "mnpipe-ingest-" + topic.name();
    this.producer = new KafkaProducer<>(kafka.producer(id), topic.keySerde().serializer(),
        topic.valueSerde().serializer());
    this.side = new KafkaProducer<>(kafka.producer(id + "-side"), new StringSerializer(), new ByteArraySerializer());
  }

  /** Sends one sample; the callback counts it once the broker has it. */
  void send(Sample s) {
    failIfFailed();
    RawImage r = RawImage.newBuilder().setDataset(source.name()).setSplit(split).setKey(s.key())
        .setLabel(s.label()).setClassId(s.classId()).setImage(ByteBuffer.wrap(s.image()))
        .setSource(s.source()).build();
    int size = s.image().length;
    producer.send(new ProducerRecord<>(topic.name(), s.key(), r), (meta, e) -> {
      if (e instanceof RecordTooLargeException) {
        tooLarge.add(s);
      } else if (e != null) {
        failure = e;
      } else {
        synchronized (this) {
          published++;
          bytes += size;
          counts[s.label()]++;
          DatasetPublisher.trackOffset(offsets, meta);
        }
        DatasetPublisher.PUBLISHED.labelValues(source.name(), split).inc();
      }
    });
  }

  /** Writes a refused input to the rejected topic, with its reason and bytes. */
  void reject(Sample s, String reason) {
    LOG.warn("rejected {} ({}): {}", s.key(), s.source(), reason);
    DeadLetter d = DeadLetter.newBuilder().setKey(s.key()).setStage("ingest").setReason(reason)
        .setSource(s.source()).setPayload(ByteBuffer.wrap(s.image() == null ? new byte[0] : s.image()))
        .setTime(Instant.now()).build();
    var meta = sendSide(rejectedTopic, s.key(), d);
    synchronized (this) {
      rejectedOffset = Math.max(rejectedOffset, meta.offset() + 1);
      rejected++;
      rejectedNow.add(s.key() + " (" + s.source() + "): " + reason);
    }
    DatasetPublisher.REJECTED.labelValues(source.name(), split).inc();
  }

  /**
   * Waits for every send to be acknowledged, rejects what the broker refused as too large, then
   * records that samples before {@code next} are covered.
   */
  void checkpoint(long next, boolean complete) {
    producer.flush();
    failIfFailed();
    for (Sample s; (s = tooLarge.poll()) != null; ) {
      reject(s, "record of " + s.image().length + " bytes is larger than the broker accepts: raise the topic's"
          + " max.message.bytes (and the broker's message.max.bytes) above it, or lower --max-image-bytes");
    }
    PublishProgress p;
    synchronized (this) {
      p = DatasetPublisher.progress(topic.name(), source.description(), next, offsets, rejectedOffset, published,
          rejected, bytes, counts, complete);
    }
    sendSide(Topics.publishProgress(), topic.name(), p);
  }

  /** Sends one record on the side producer and waits for the broker's acknowledgement. */
  <V> RecordMetadata sendSide(Topic<String, V> t, String key, V value) {
    try {
      return side.send(new ProducerRecord<>(t.name(), key, t.valueSerde().serializer().serialize(t.name(), value)))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to " + t.name(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write to " + t.name() + ": " + e.getCause().getMessage(), e);
    }
  }

  private void failIfFailed() {
    Exception e = failure;
    if (e != null) {
      throw new IllegalStateException("publishing to " + topic.name() + " failed after " + published + " records: "
          + e.getMessage() + "; run the same command again to resume", e);
    }
  }

  @Override
  public void close() {
    producer.close();
    side.close();
  }
}
