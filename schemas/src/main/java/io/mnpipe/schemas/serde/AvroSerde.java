package io.mnpipe.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serializer and deserializer pair for one generated Avro record class. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final Class<T> type;

  public AvroSerde(Class<T> type) {
    this.type = type;
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public Serializer<T> serializer() {
    return new AvroSerializer<>(type);
  }

  @Override
  public Deserializer<T> deserializer() {
    return new AvroDeserializer<>(type);
  }
}
