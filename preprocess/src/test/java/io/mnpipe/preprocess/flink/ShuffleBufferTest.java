package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The shuffle buffer in Flink's operator harness: a deterministic permutation that survives a restore. */
class ShuffleBufferTest {
  private static final List<Integer> INPUT = IntStream.range(0, 200).boxed().toList();

  private static OneInputStreamOperatorTestHarness<Integer, Integer> harness(long seed) throws Exception {
    return new OneInputStreamOperatorTestHarness<>(new ShuffleBuffer<>(16, seed, Types.INT));
  }

  private static List<Integer> shuffle(long seed) throws Exception {
    try (var h = harness(seed)) {
      h.open();
      for (int i : INPUT) {
        h.processElement(i, 0);
      }
      h.endInput();
      return h.extractOutputValues();
    }
  }

  @Test
  void outputIsAPermutationThatDependsOnlyOnTheSeed() throws Exception {
    List<Integer> a = shuffle(7);
    assertEquals(INPUT.size(), a.size());
    assertEquals(INPUT, a.stream().sorted().toList(), "every record exactly once");
    assertNotEquals(INPUT, a, "order changed");
    assertEquals(a, shuffle(7), "same seed, same order");
    assertNotEquals(a, shuffle(8), "another seed, another order");
    // A reservoir of 16 moves a record at most ~tens of places early, but can hold it long.
    for (int pos = 0; pos < a.size(); pos++) {
      assertTrue(a.get(pos) <= pos + 16, "record " + a.get(pos) + " cannot leave before it arrives");
    }
  }

  @Test
  void aRestoredBufferContinuesAsIfNeverInterrupted() throws Exception {
    List<Integer> uninterrupted = shuffle(3);
    List<Integer> out = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var h = harness(3)) {
      h.open();
      for (int i : INPUT.subList(0, 90)) {
        h.processElement(i, 0);
      }
      out.addAll(h.extractOutputValues());
      snapshot = h.snapshot(1, 1L);
    }
    try (var h = harness(3)) {
      h.initializeState(snapshot);
      h.open();
      for (int i : INPUT.subList(90, INPUT.size())) {
        h.processElement(i, 0);
      }
      h.endInput();
      out.addAll(h.extractOutputValues());
    }
    assertEquals(uninterrupted, out);
  }

  @Test
  void aLaterEpochDrainsTheEarlierOneFirst() throws Exception {
    // Records 0..39 are epoch 1, 40..79 epoch 2 (value / 40 + 1); the buffer holds 64.
    try (var h = new OneInputStreamOperatorTestHarness<Integer, Integer>(
        new ShuffleBuffer<>(64, Long.MAX_VALUE, v -> 0, 5, ResidentState.whole(Types.INT), v -> v / 40 + 1))) {
      h.open();
      for (int i = 0; i < 80; i++) {
        h.processElement(i, 0);
      }
      h.endInput();
      List<Integer> out = h.extractOutputValues();
      assertEquals(80, out.size());
      assertEquals(IntStream.range(0, 40).boxed().toList(), out.subList(0, 40).stream().sorted().toList(),
          "all of epoch 1 before any of epoch 2");
      assertNotEquals(IntStream.range(0, 40).boxed().toList(), out.subList(0, 40), "epoch 1 shuffled");
      assertEquals(IntStream.range(40, 80).boxed().toList(), out.subList(40, 80).stream().sorted().toList());
    }
  }

  @Test
  void anEndOfEpochMarkerDrainsTheBufferAndFollowsTheEpochsLastRecord() throws Exception {
    // Negative values are markers here; 0..29 epoch 1, the buffer holds 64.
    try (var h = new OneInputStreamOperatorTestHarness<Integer, Integer>(
        new ShuffleBuffer<>(64, Long.MAX_VALUE, v -> 0, 5, ResidentState.whole(Types.INT), v -> 1)
            .passingThrough(v -> v < 0))) {
      h.open();
      for (int i = 0; i < 30; i++) {
        h.processElement(i, 0);
      }
      h.processElement(-1, 0);
      assertEquals(31, h.extractOutputValues().size(), "the marker drained the buffer before the end of input");
      List<Integer> out = h.extractOutputValues();
      assertEquals(IntStream.range(0, 30).boxed().toList(), out.subList(0, 30).stream().sorted().toList());
      assertEquals(-1, out.get(30), "the marker comes after every record of its epoch");
      h.endInput();
      assertEquals(31, h.extractOutputValues().size(), "a marker is never buffered");
    }
  }

  @Test
  void theByteCapBoundsTheBufferWhateverTheRecordSize() throws Exception {
    // Record i "weighs" (i % 7 + 1) * 100 bytes; 1,000 bytes hold fewer than the 64 records allowed.
    ShuffleBuffer<Integer> op = new ShuffleBuffer<>(64, 1_000, v -> (v % 7 + 1) * 100L, 3, ResidentState.whole(Types.INT), v -> 0);
    try (var h = new OneInputStreamOperatorTestHarness<Integer, Integer>(op)) {
      h.open();
      long maxHeld = 0;
      for (int i : INPUT) {
        h.processElement(i, 0);
        maxHeld = Math.max(maxHeld, op.bufferedBytes());
        assertTrue(op.bufferedBytes() <= 1_000, "held " + op.bufferedBytes() + " bytes after record " + i);
      }
      assertTrue(maxHeld > 800, "the buffer fills up to its cap, held at most " + maxHeld);
      h.endInput();
      assertEquals(0, op.bufferedBytes());
      List<Integer> out = h.extractOutputValues();
      assertEquals(INPUT, out.stream().sorted().toList(), "every record exactly once");
      assertNotEquals(INPUT, out, "still shuffled");
    }
  }

  @Test
  void aRecordLargerThanTheCapPassesAlone() throws Exception {
    ShuffleBuffer<Integer> op = new ShuffleBuffer<>(8, 500, v -> v == 3 ? 5_000L : 100L, 3, ResidentState.whole(Types.INT), v -> 0);
    try (var h = new OneInputStreamOperatorTestHarness<Integer, Integer>(op)) {
      h.open();
      for (int i = 0; i < 10; i++) {
        h.processElement(i, 0);
      }
      assertEquals(List.of(0, 1, 2), h.extractOutputValues().stream().sorted().limit(3).toList(),
          "the big record pushed every earlier one out");
      h.endInput();
      assertEquals(IntStream.range(0, 10).boxed().toList(), h.extractOutputValues().stream().sorted().toList());
    }
  }

  @Test
  void restoredStateCountsItsBytes() throws Exception {
    OperatorSubtaskState snapshot;
    ShuffleBuffer.SizeOf<Integer> size = v -> 100L;
    try (var h = new OneInputStreamOperatorTestHarness<Integer, Integer>(
        new ShuffleBuffer<>(64, 1_000, size, 3, ResidentState.whole(Types.INT), v -> 0))) {
      h.open();
      for (int i = 0; i < 9; i++) {
        h.processElement(i, 0);
      }
      snapshot = h.snapshot(1, 1);
    }
    ShuffleBuffer<Integer> restored = new ShuffleBuffer<>(64, 1_000, size, 3, ResidentState.whole(Types.INT), v -> 0);
    try (var h = new OneInputStreamOperatorTestHarness<Integer, Integer>(restored)) {
      h.initializeState(snapshot);
      h.open();
      assertEquals(900, restored.bufferedBytes());
      h.processElement(9, 0);
      h.processElement(10, 0);
      assertEquals(1, h.extractOutputValues().size(), "the 11th record made room for itself");
    }
  }
}
