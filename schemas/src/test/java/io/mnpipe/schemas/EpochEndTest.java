package io.mnpipe.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The end-of-epoch marker: its header round-trips, and a sample is never taken for one. */
class EpochEndTest {
  @Test
  void theHeaderAndTheInJobFormRoundTrip() {
    EpochEnd e = new EpochEnd(3, 1, 2);
    RecordHeaders h = new RecordHeaders();
    h.add(EpochEnd.HEADER, e.header());
    assertEquals(e, EpochEnd.of(h));
    assertEquals("epoch-end/3/1", e.kafkaKey());
    AugmentedSample carried = e.inJob(5);
    assertEquals(e, EpochEnd.inJob(carried));
    assertEquals(5, EpochEnd.partitionInJob(carried));
  }

  @Test
  void samplesAndForeignHeadersAreNotMarkers() {
    assertNull(EpochEnd.of(new RecordHeaders()));
    assertNull(EpochEnd.of(null));
    RecordHeaders bad = new RecordHeaders();
    bad.add(EpochEnd.HEADER, "not/a-marker".getBytes(StandardCharsets.UTF_8));
    assertNull(EpochEnd.of(bad));
    AugmentedSample s = AugmentedSample.newBuilder().setKey("train_cat_000001").setLabel(2).setEpoch(1).setHeight(1)
        .setWidth(1).setChannels(3).setPixels(ByteBuffer.allocate(3)).build();
    assertNull(EpochEnd.inJob(s));
    assertThrows(IllegalArgumentException.class, () -> new EpochEnd(1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new EpochEnd(0, 0, 1));
  }
}
