package io.mnpipe.preprocess.flink;

import io.mnpipe.schemas.EpochEnd;
import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Samples to Kafka records of one topic: a sample keyed by its key (Kafka's default partitioner
 * places it), Avro value; an {@link EpochEnd} marker into the partition it names, with no value
 * and the marker's header.
 */
final class SampleRecords implements KafkaRecordSerializationSchema<AugmentedSample>, KafkaDatasetFacetProvider {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final AvroRecordSchema<AugmentedSample> values = new AvroRecordSchema<>(AugmentedSample.class);

  SampleRecords(String topic) {
    this.topic = topic;
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
      throws Exception {
    values.open(context);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(AugmentedSample s, KafkaSinkContext context, Long timestamp) {
    EpochEnd end = EpochEnd.inJob(s);
    if (end == null) {
      return new ProducerRecord<>(topic, null, s.getKey().toString().getBytes(StandardCharsets.UTF_8),
          values.serialize(s));
    }
    return new ProducerRecord<>(topic, EpochEnd.partitionInJob(s), null,
        end.kafkaKey().getBytes(StandardCharsets.UTF_8), null,
        List.of(new RecordHeader(EpochEnd.HEADER, end.header())));
  }

  /** The topic written, which the sink's POOLING transaction naming needs to find lingering transactions. */
  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
  }
}
