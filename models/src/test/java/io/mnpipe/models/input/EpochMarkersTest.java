package io.mnpipe.models.input;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.schemas.EpochEnd;
import org.junit.jupiter.api.Test;

/** A partition holds an epoch whole once every writer has marked its end there, each counted once. */
class EpochMarkersTest {
  @Test
  void anEpochIsWholeInAPartitionOnceEveryWriterMarkedItThere() {
    EpochMarkers m = new EpochMarkers();
    assertFalse(m.any());
    m.add(0, new EpochEnd(1, 0, 2));
    assertTrue(m.any());
    assertFalse(m.complete(0, 1), "one writer of two");
    m.add(0, new EpochEnd(1, 0, 2));
    assertFalse(m.complete(0, 1), "the same writer twice is still one");
    m.add(1, new EpochEnd(1, 1, 2));
    assertFalse(m.complete(0, 1), "another partition's marker does not count");
    m.add(0, new EpochEnd(1, 1, 2));
    assertTrue(m.complete(0, 1));
    assertFalse(m.complete(0, 2), "nothing known of epoch 2");
    m.forgetBefore(2);
    assertFalse(m.complete(0, 1), "forgotten");
  }
}
