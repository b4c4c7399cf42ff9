package io.mnpipe.preprocess.flink;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Topic names in, {@link PreprocessJob.Pass}es reading and writing Kafka out: the raw topic is
 * replayed once per epoch (one bounded Kafka source per epoch, chained in an {@link EpochReplaySource},
 * each tagging its records with its epoch), and both sinks are transactional (exactly-once: a
 * failure and restore neither loses nor duplicates a sample for read_committed consumers).
 */
public final class KafkaPasses {
  /** Transactions stay open between checkpoints; a restore must find them still alive. */
  static final String TRANSACTION_TIMEOUT_MS = String.valueOf(15 * 60 * 1000);

  private KafkaPasses() {}

  /** One epoch of {@code rawTopic}; see {@link #epochs}. */
  public static PreprocessJob.Pass bounded(KafkaSettings kafka, String name, String rawTopic, String samplesTopic,
      AugmentPreset preset, int epoch) {
    return epochs(kafka, name, rawTopic, samplesTopic, preset, epoch, 1, 0);
  }

  /** As below, with the shuffle buffer capped at {@link PreprocessJob#DEFAULT_SHUFFLE_BUFFER_BYTES}. */
  public static PreprocessJob.Pass epochs(KafkaSettings kafka, String name, String rawTopic, String samplesTopic,
      AugmentPreset preset, int firstEpoch, int epochs, int shuffleBuffer) {
    return epochs(kafka, name, rawTopic, samplesTopic, preset, firstEpoch, epochs, shuffleBuffer,
        PreprocessJob.DEFAULT_SHUFFLE_BUFFER_BYTES);
  }

  /**
   * Epochs {@code firstEpoch .. firstEpoch + epochs - 1} of {@code rawTopic}, each read from the
   * start to the end offsets current when that epoch begins; samples go to {@code samplesTopic},
   * dead letters to {@code rawTopic.dlq}; the shuffle buffer holds at most {@code shuffleBuffer}
   * records and {@code shuffleBufferBytes} bytes per subtask.
   */
  public static PreprocessJob.Pass epochs(KafkaSettings kafka, String name, String rawTopic, String samplesTopic,
      AugmentPreset preset, int firstEpoch, int epochs, int shuffleBuffer, long shuffleBufferBytes) {
    return epochs(kafka, name, rawTopic, samplesTopic, preset, firstEpoch, epochs, shuffleBuffer, shuffleBufferBytes,
        FlowControl.NONE);
  }

  /** As above, emitting only while at most {@code flow.maxLead()} records ahead of the slowest trainer. */
  public static PreprocessJob.Pass epochs(KafkaSettings kafka, String name, String rawTopic, String samplesTopic,
      AugmentPreset preset, int firstEpoch, int epochs, int shuffleBuffer, long shuffleBufferBytes, FlowControl flow) {
    if (epochs < 1 || firstEpoch < 1) {
      throw new IllegalArgumentException("epochs must be >= 1 and start at >= 1, got " + firstEpoch + "+" + epochs);
    }
    List<KafkaSource<EpochImage>> perEpoch = new ArrayList<>();
    for (int e = firstEpoch; e < firstEpoch + epochs; e++) {
      perEpoch.add(epochSource(kafka, name, rawTopic, e));
    }
    // Streaming into trainers, each epoch's end is marked in every partition (EpochEnd): the trainers
    // find the epoch boundaries, and the end of the last epoch, in the stream itself.
    int markedPartitions = flow.enabled() ? partitions(kafka, samplesTopic) : 0;
    Source<EpochImage, ?, ?> source = EpochReplaySource.of(perEpoch, kafka, samplesTopic, flow, firstEpoch,
        flow.enabled() ? EpochImage::endOfEpoch : null);
    String id = transactionalIdPrefix(name, samplesTopic);
    KafkaSink<AugmentedSample> samples = sink(kafka, id, new SampleRecords(samplesTopic));
    KafkaSink<DeadLetter> dead = sink(kafka, id + "-dlq", Topics.deadLetters(rawTopic).name(),
        d -> d.getKey().getBytes(StandardCharsets.UTF_8), DeadLetter.class);
    PreprocessJob.Shuffle shuffle = shuffleBuffer == 0 ? PreprocessJob.Shuffle.NONE
        : new PreprocessJob.Shuffle(shuffleBuffer, shuffleBufferBytes, new KafkaResidents(kafka, rawTopic));
    return new PreprocessJob.Pass(name, source, preset, shuffle, samples, dead, markedPartitions);
  }

  /** Raw images per poll of an epoch source: ~3.5 MB of ImageNet JPEGs. */
  static final int RAW_RECORDS_PER_POLL = 32;

  /** Bytes per fetch of an epoch source, for all its partitions together. */
  static final int RAW_FETCH_BYTES = 4 << 20;

  private static KafkaSource<EpochImage> epochSource(KafkaSettings kafka, String name, String rawTopic, int epoch) {
    Properties consumer = kafka.consumer(null, "mnpipe-preprocess-" + name + "-e" + epoch);
    consumer.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG); // the source's starting offsets decide
    // Small polls of raw images. With the defaults (500 records a poll, fetches of 64 MB) each reader held
    // up to ~200 MB of images in Flink's element queue and the consumer's prefetch (bench preprocess: the
    // heap left after a young GC fell from ~950 to ~600 MB). A larger record still comes whole (fetch
    // limits are soft).
    consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(RAW_RECORDS_PER_POLL));
    consumer.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(RAW_FETCH_BYTES));
    consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(RAW_FETCH_BYTES));
    return KafkaSource.<EpochImage>builder()
        .setProperties(consumer)
        .setBootstrapServers(kafka.bootstrap())
        .setTopics(rawTopic)
        .setGroupId("mnpipe-preprocess-" + name)
        .setProperty("commit.offsets.on.checkpoint", "false") // epochs replay from the start, not from a group
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setDeserializer(new EpochDeserializer(epoch))
        .build();
  }

  private static int partitions(KafkaSettings kafka, String topic) {
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      return TopicAdmin.await(admin.admin().describeTopics(List.of(topic)).allTopicNames(),
          java.time.Duration.ofSeconds(30), "describe " + topic + " (create it before the job)").get(topic)
          .partitions().size();
    }
  }

  /** The transactional-id prefix of a pass's samples sink; its dead-letter sink adds "-dlq". */
  static String transactionalIdPrefix(String pass, String samplesTopic) {
    return "mnpipe-preprocess-" + pass + "-" + samplesTopic;
  }

  static <T extends SpecificRecord> KafkaSink<T> sink(KafkaSettings kafka, String transactionalId, String topic,
      SerializationSchema<T> key, Class<T> type) {
    return sink(kafka, transactionalId, KafkaRecordSerializationSchema.<T>builder()
        .setTopic(topic)
        .setKeySerializationSchema(key)
        .setValueSerializationSchema(new AvroRecordSchema<>(type))
        .build());
  }

  static <T> KafkaSink<T> sink(KafkaSettings kafka, String transactionalId,
      KafkaRecordSerializationSchema<T> records) {
    Properties props = kafka.producer(transactionalId);
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
    // Batches fill (1 MB, ~6 samples of 224x224) before the sender takes them: with the default
    // 5 ms every sample opened a batch of its own and woke the sender thread, a syscall and a
    // context switch per sample that took ~16% of the task thread (bench preprocess). The
    // checkpoint's flush sends what is left, so nothing waits for it longer than that.
    props.put(ProducerConfig.LINGER_MS_CONFIG, "100");
    return KafkaSink.<T>builder()
        .setBootstrapServers(kafka.bootstrap())
        .setKafkaProducerConfig(props)
        .setRecordSerializer(records)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalId)
        // A few transactional ids per subtask, reused, instead of a new one per checkpoint: the broker keeps
        // each id it has seen for transactional.id.expiration.ms (7 days), so a job checkpointing every 2 s
        // would leave ~300,000 a subtask a week. POOLING finds lingering transactions with ListTransactions
        // (Kafka 3.0+) instead of probing ids one by one.
        .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
        .build();
  }
}
