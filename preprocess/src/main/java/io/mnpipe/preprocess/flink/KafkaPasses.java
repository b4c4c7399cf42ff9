package io.mnpipe.preprocess.flink;

import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.RawImage;
import io.mnpipe.schemas.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/** Topic names in, {@link PreprocessJob.Pass}es reading and writing Kafka out. */
public final class KafkaPasses {
  private KafkaPasses() {}

  /**
   * A bounded pass: reads {@code rawTopic} from the start to the offsets current at job start,
   * writes samples to {@code samplesTopic} and dead letters to {@code samplesTopic.dlq}.
   */
  public static PreprocessJob.Pass bounded(KafkaSettings kafka, String name, String rawTopic, String samplesTopic,
      AugmentPreset preset, int epoch) {
    Properties consumer = kafka.consumer(null, "mnpipe-preprocess-" + name);
    consumer.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG); // the source's starting offsets decide
    KafkaSource<RawImage> source = KafkaSource.<RawImage>builder()
        .setProperties(consumer)
        .setBootstrapServers(kafka.bootstrap())
        .setTopics(rawTopic)
        .setGroupId("mnpipe-preprocess-" + samplesTopic)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setValueOnlyDeserializer(new AvroRecordSchema<>(RawImage.class))
        .build();
    KafkaSink<AugmentedSample> samples = sink(kafka, "mnpipe-preprocess-" + name, samplesTopic,
        s -> s.getKey().getBytes(StandardCharsets.UTF_8), AugmentedSample.class);
    KafkaSink<DeadLetter> dead = sink(kafka, "mnpipe-preprocess-dlq-" + name, Topics.deadLetters(rawTopic).name(),
        d -> d.getKey().getBytes(StandardCharsets.UTF_8), DeadLetter.class);
    return new PreprocessJob.Pass(name, source, preset, epoch, samples, dead);
  }

  static <T extends org.apache.avro.specific.SpecificRecord> KafkaSink<T> sink(KafkaSettings kafka, String clientId,
      String topic, SerializationSchema<T> key, Class<T> type) {
    Properties props = kafka.producer(clientId);
    return KafkaSink.<T>builder()
        .setBootstrapServers(kafka.bootstrap())
        .setKafkaProducerConfig(props)
        .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
            .setTopic(topic)
            .setKeySerializationSchema(key)
            .setValueSerializationSchema(new AvroRecordSchema<>(type))
            .build())
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }
}
