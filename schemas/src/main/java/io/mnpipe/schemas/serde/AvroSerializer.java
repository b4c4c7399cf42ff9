package io.mnpipe.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/** Specific Avro record in, Avro binary bytes out (no schema registry: the topic fixes the schema). */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  private final SpecificDatumWriter<T> writer;
  // Kafka calls a producer's serializer from the sending thread; one encoder per thread avoids
  // re-allocating its buffer for every record.
  private final ThreadLocal<Reusable> reusable = ThreadLocal.withInitial(Reusable::new);

  public AvroSerializer(Class<T> type) {
    this.writer = new SpecificDatumWriter<>(type);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    Reusable r = reusable.get();
    r.out.reset();
    try {
      r.encoder = EncoderFactory.get().directBinaryEncoder(r.out, r.encoder);
      writer.write(data, r.encoder);
      r.encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot serialize " + data.getSchema().getName()
          + " for topic " + topic + ": " + e.getMessage(), e);
    }
    return r.out.toByteArray();
  }

  private static final class Reusable {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    BinaryEncoder encoder;
  }
}
