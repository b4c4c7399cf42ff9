package io.mnpipe.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Avro binary bytes in, a specific Avro record out; a record that does not parse fails loudly. The
 * consumer hands values over as a view of its fetch buffer: decoding straight from it saves the copy
 * into a fresh byte[] that Kafka's default makes (a whole image per sample record).
 */
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
    return data == null ? null : decode(topic, data, 0, data.length);
  }

  @Override
  public T deserialize(String topic, Headers headers, ByteBuffer data) {
    if (data == null) {
      return null;
    }
    if (data.hasArray()) {
      return decode(topic, data.array(), data.arrayOffset() + data.position(), data.remaining());
    }
    byte[] copy = new byte[data.remaining()];
    data.duplicate().get(copy);
    return decode(topic, copy, 0, copy.length);
  }

  private T decode(String topic, byte[] data, int offset, int length) {
    try {
      BinaryDecoder d = DecoderFactory.get().binaryDecoder(data, offset, length, decoder.get());
      decoder.set(d);
      return reader.read(null, d);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("record on topic " + topic + " is not a valid "
          + type.getSimpleName() + " (" + length + " bytes): " + e.getMessage(), e);
    }
  }
}
