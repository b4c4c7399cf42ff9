package io.mnpipe.preprocess.flink;

import io.mnpipe.schemas.avro.RawImage;
import io.mnpipe.schemas.serde.AvroDeserializer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records of the raw topic in, {@link EpochImage}s tagged with this replay's epoch out. A
 * record that is not a RawImage is passed on as unreadable rather than failing the job.
 */
final class EpochDeserializer implements KafkaRecordDeserializationSchema<EpochImage> {
  private final int epoch;
  private transient AvroDeserializer<RawImage> avro;

  EpochDeserializer(int epoch) {
    this.epoch = epoch;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<EpochImage> out) {
    if (avro == null) {
      avro = new AvroDeserializer<>(RawImage.class);
    }
    out.collect(read(epoch, record, avro));
  }

  /** The record as an EpochImage of {@code epoch}, remembering where it came from (partition, offset). */
  static EpochImage read(int epoch, ConsumerRecord<byte[], byte[]> record, AvroDeserializer<RawImage> avro) {
    String key = record.key() == null ? record.topic() + "@" + record.partition() + ":" + record.offset()
        : new String(record.key(), StandardCharsets.UTF_8);
    EpochImage e;
    try {
      e = EpochImage.of(epoch, avro.deserialize(record.topic(), record.value()));
    } catch (RuntimeException ex) {
      byte[] value = record.value() == null ? new byte[0] : record.value();
      e = EpochImage.unreadable(epoch, key, value, "not a RawImage record: " + ex.getMessage());
    }
    e.partition = record.partition();
    e.offset = record.offset();
    return e;
  }

  @Override
  public TypeInformation<EpochImage> getProducedType() {
    return TypeInformation.of(EpochImage.class);
  }
}
