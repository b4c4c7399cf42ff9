package io.mnpipe.preprocess.flink;

import io.mnpipe.schemas.serde.AvroDeserializer;
import io.mnpipe.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink's view of the schemas module's Avro serde: Kafka bytes to records and back. */
public final class AvroRecordSchema<T extends SpecificRecord>
    implements DeserializationSchema<T>, SerializationSchema<T> {
  private final Class<T> type;
  private transient AvroDeserializer<T> deserializer;
  private transient AvroSerializer<T> serializer;

  public AvroRecordSchema(Class<T> type) {
    this.type = type;
  }

  @Override
  public T deserialize(byte[] message) {
    if (deserializer == null) {
      deserializer = new AvroDeserializer<>(type);
    }
    return deserializer.deserialize(null, message);
  }

  @Override
  public byte[] serialize(T element) {
    if (serializer == null) {
      serializer = new AvroSerializer<>(type);
    }
    return serializer.serialize(null, element);
  }

  @Override
  public boolean isEndOfStream(T nextElement) {
    return false;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return TypeInformation.of(type);
  }
}
