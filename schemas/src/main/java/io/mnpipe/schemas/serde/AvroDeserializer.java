package io.mnpipe.schemas.serde;

import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/** Avro binary bytes in, a specific Avro record out; a record that does not parse fails loudly. */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private final Class<T> type;
  private final SpecificDatumReader<T> reader;
  private final ThreadLocal<BinaryDecoder> decoder = new ThreadLocal<>();

  public AvroDeserializer(Class<T> type) {
    this.type = type;
    this.reader = new SpecificDatumReader<>(type);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      BinaryDecoder d = DecoderFactory.get().binaryDecoder(data, decoder.get());
      decoder.set(d);
      return reader.read(null, d);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("record on topic " + topic + " is not a valid "
          + type.getSimpleName() + " (" + data.length + " bytes): " + e.getMessage(), e);
    }
  }
}
