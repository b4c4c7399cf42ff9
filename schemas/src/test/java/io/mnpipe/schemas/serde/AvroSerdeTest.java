package io.mnpipe.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.CheckpointEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private final AvroSerde<AugmentedSample> serde = new AvroSerde<>(AugmentedSample.class);

  private static AugmentedSample sample(String key, int n) {
    byte[] px = new byte[n];
    for (int i = 0; i < n; i++) {
      px[i] = (byte) i;
    }
    return AugmentedSample.newBuilder().setKey(key).setLabel(7).setEpoch(2).setHeight(1).setWidth(n / 3)
        .setChannels(3).setPixels(ByteBuffer.wrap(px)).build();
  }

  @Test
  void roundTripsEveryField() {
    AugmentedSample in = sample("n01440764_10026", 3 * 50);
    byte[] bytes = serde.serializer().serialize("t", in);
    AugmentedSample out = serde.deserializer().deserialize("t", bytes);
    assertEquals(in, out);
    assertArrayEquals(in.getPixels().array(), out.getPixels().array());
  }

  @Test
  void decodesAViewIntoALargerBufferWithoutMovingIt() {
    AugmentedSample in = sample("k", 3 * 40);
    byte[] bytes = serde.serializer().serialize("t", in);
    // As the consumer passes values: a slice of the fetch buffer, other records on both sides.
    byte[] fetch = new byte[bytes.length + 20];
    java.util.Arrays.fill(fetch, (byte) 0x5a);
    System.arraycopy(bytes, 0, fetch, 13, bytes.length);
    ByteBuffer view = ByteBuffer.wrap(fetch, 7, bytes.length + 10).slice().position(6).limit(6 + bytes.length);
    assertEquals(in, serde.deserializer().deserialize("t", null, view));
    assertEquals(6, view.position());
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    assertEquals(in, serde.deserializer().deserialize("t", null, direct));
    assertEquals(0, direct.position());
    assertNull(serde.deserializer().deserialize("t", null, (ByteBuffer) null));
    var e = assertThrows(SerializationException.class,
        () -> serde.deserializer().deserialize("topic-y", null, ByteBuffer.wrap(fetch, 0, 3)));
    assertTrue(e.getMessage().contains("topic-y") && e.getMessage().contains("3 bytes"), e.getMessage());
  }

  @Test
  void reusedSerializerDoesNotLeakPreviousRecord() {
    var ser = serde.serializer();
    byte[] big = ser.serialize("t", sample("big", 3000));
    byte[] small = ser.serialize("t", sample("s", 3));
    assertTrue(small.length < big.length);
    assertEquals(sample("s", 3), serde.deserializer().deserialize("t", small));
  }

  @Test
  void timestampsSurvive() {
    var s = new AvroSerde<>(CheckpointEvent.class);
    CheckpointEvent e = CheckpointEvent.newBuilder().setModel("mobilenet_v2_100").setRunId("r").setStep(10)
        .setEpoch(1).setLocation("/ckpt").setTrainLoss(1.5).setNumClasses(10).setImageSize(32)
        .setTime(Instant.ofEpochMilli(1_700_000_000_123L)).build();
    assertEquals(e, s.deserializer().deserialize("t", s.serializer().serialize("t", e)));
  }

  @Test
  void nullIsTombstoneAndGarbageIsAClearError() {
    assertNull(serde.serializer().serialize("t", null));
    assertNull(serde.deserializer().deserialize("t", null));
    var e = assertThrows(SerializationException.class,
        () -> serde.deserializer().deserialize("topic-x", new byte[] {(byte) 0xff, 1}));
    assertTrue(e.getMessage().contains("topic-x"), e.getMessage());
    assertTrue(e.getMessage().contains("AugmentedSample"), e.getMessage());
  }
}
