package io.mnpipe.models.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Epoch e of every partition before epoch e+1 of any; idle partitions hold nothing back; past the last epoch, the end. */
class EpochBarrierTest {
  private static final Set<Integer> ALL = Set.of(0, 1, 2);

  @Test
  void aPartitionAheadWaitsUntilTheOthersCatchUp() {
    EpochBarrier b = new EpochBarrier(1, 0);
    assertTrue(b.admit(0, 1));
    assertFalse(b.admit(0, 2)); // partition 0 read ahead into epoch 2
    assertFalse(b.admit(0, 1)); // anything after the held record waits with it
    assertTrue(b.admit(1, 1));
    assertEquals(List.of(), b.release(ALL, Set.of()));
    assertFalse(b.admit(1, 2));
    assertEquals(List.of(), b.release(ALL, Set.of())); // partition 2 still reads epoch 1
    assertEquals(List.of(0, 1), b.release(ALL, Set.of(2))); // ... until it has nothing more
    assertEquals(2, b.epoch());
    assertTrue(b.admit(0, 2));
    assertTrue(b.admit(2, 1)); // a straggler of an earlier epoch is not held
  }

  @Test
  void partitionsTwoEpochsAheadWaitForTheNextRelease() {
    EpochBarrier b = new EpochBarrier(1, 0);
    assertFalse(b.admit(0, 3));
    assertFalse(b.admit(1, 2));
    assertEquals(List.of(1), b.release(ALL, Set.of(2)));
    assertTrue(b.isWaiting(0));
    assertEquals(List.of(), b.release(ALL, Set.of(2))); // partition 1 reads epoch 2
    assertFalse(b.admit(1, 3));
    assertEquals(List.of(0, 1), b.release(ALL, Set.of(2)));
  }

  @Test
  void pastTheLastEpochTheInputEnds() {
    EpochBarrier b = new EpochBarrier(2, 2);
    assertTrue(b.admit(0, 2));
    assertFalse(b.admit(0, 3));
    assertFalse(b.admit(1, 3));
    assertEquals(List.of(), b.release(ALL, Set.of(2)));
    assertTrue(b.finished());
  }
}
