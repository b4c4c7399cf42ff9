package io.mnpipe.models.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.models.TestSamples;
import io.mnpipe.schemas.avro.AugmentedSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Valid samples land back to back in one array; bad ones are counted and never batched. */
class BatchAssemblerTest {
  private static AugmentedSample filled(String key, int label, int size, int value) {
    byte[] px = new byte[size * size * 3];
    Arrays.fill(px, (byte) value);
    return TestSamples.sample(key, label, size, size, 3, 1, px);
  }

  @Test
  void copiesPixelsAndLabelsInOrder() {
    BatchAssembler a = new BatchAssembler(3, 4, 5, 0);
    assertNull(a.add(filled("a", 0, 4, 10)));
    assertNull(a.add(filled("b", 4, 4, 20)));
    SampleBatch b = a.add(filled("c", 2, 4, 30));
    assertNotNull(b);
    assertEquals(3, b.size());
    assertArrayEquals(new int[] {0, 4, 2}, Arrays.copyOf(b.labels(), 3));
    assertEquals(10, b.pixels()[0]);
    assertEquals(20, b.pixels()[48]);
    assertEquals(30, b.pixels()[2 * 48 + 47]);
    assertEquals(3, a.accepted());
  }

  @Test
  void skipsWrongShapeAndOutOfRangeLabels() {
    BatchAssembler a = new BatchAssembler(2, 4, 3, 0);
    List<SampleBatch> out = new ArrayList<>();
    List<AugmentedSample> in = List.of(
        filled("ok1", 0, 4, 1),
        filled("small", 0, 3, 1),                                           // 3x3, not 4x4
        TestSamples.sample("gray", 1, 4, 4, 1, 1, new byte[16]),             // one channel
        TestSamples.sample("short", 1, 4, 4, 3, 1, new byte[40]),            // bytes do not match shape
        filled("neg", -1, 4, 1),
        filled("big", 3, 4, 1),                                             // numClasses is 3
        filled("ok2", 2, 4, 1),
        filled("ok3", 1, 4, 1));
    for (AugmentedSample s : in) {
      SampleBatch b = a.add(s);
      if (b != null) {
        out.add(b);
      }
    }
    assertEquals(1, out.size());
    assertArrayEquals(new int[] {0, 2}, out.get(0).labels());
    assertEquals(3, a.skipped(BatchAssembler.Skip.WRONG_SHAPE));
    assertEquals(2, a.skipped(BatchAssembler.Skip.BAD_LABEL));
    assertEquals(5, a.skipped());
    SampleBatch tail = a.flush(1);
    assertEquals(1, tail.size());
    assertEquals(1, tail.labels()[0]);
  }

  @Test
  void dropsTooSmallTailAndLaterEpochs() {
    BatchAssembler a = new BatchAssembler(4, 4, 3, 1);
    a.add(filled("e1", 0, 4, 1));
    AugmentedSample e2 = filled("e2", 0, 4, 1);
    e2.setEpoch(2);
    assertNull(a.add(e2));
    assertEquals(1, a.skipped(BatchAssembler.Skip.BEYOND_EPOCHS));
    assertEquals(0, a.skipped());
    assertNull(a.flush(2));
    assertEquals(1, a.dropped());
    assertNull(a.flush(1));
  }

  private static SourcedSample at(int partition, long offset, int epoch) {
    AugmentedSample s = filled("p" + partition + "o" + offset, 0, 4, 1);
    s.setEpoch(epoch);
    return new SourcedSample(s, partition, offset);
  }

  @Test
  void eachBatchCarriesTheResumePointAfterIt() {
    BatchAssembler a = new BatchAssembler(3, 4, 3, 0, true);
    a.resumeAt(Map.of(0, 10L, 1, 20L, 2, 5L), 1);
    assertNull(a.add(at(0, 10, 1)));
    assertNull(a.add(at(1, 20, 1)));
    SampleBatch b = a.add(at(0, 11, 1));
    assertEquals(Map.of(0, 12L, 1, 21L, 2, 5L), b.nextOffsets()); // partition 2 keeps its resume point
    assertArrayEquals(new String[] {"p0o10", "p1o20", "p0o11"}, b.keys());
    assertNull(a.add(at(1, 21, 1))); // in the partial batch: not in any resume point yet
    assertEquals(Map.of(0, 12L, 1, 22L, 2, 5L), a.flush(1).nextOffsets());
  }

  @Test
  void firstSampleOfALaterEpochCutsThePartialBatchAndOpensTheNext() {
    BatchAssembler a = new BatchAssembler(4, 4, 3, 0, true);
    List<SampleBatch> out = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      add(a, at(0, i, 1), out);
    }
    add(a, at(0, 6, 2), out); // epoch 1 ends with a batch of 2
    for (int i = 7; i < 10; i++) {
      add(a, at(0, i, 2), out);
    }
    assertEquals(List.of(4, 2, 4), out.stream().map(SampleBatch::size).toList());
    assertEquals(List.of(false, false, true), out.stream().map(SampleBatch::opensEpoch).toList());
    assertEquals(6L, out.get(1).nextOffsets().get(0));
    assertEquals(List.of(1, 1, 2), out.stream().map(SampleBatch::epoch).toList());
  }

  @Test
  void aLoneSampleAtAnEpochEndRidesOnIntoTheNextBatch() {
    BatchAssembler a = new BatchAssembler(4, 4, 3, 0, true);
    List<SampleBatch> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      add(a, at(0, i, 1), out);
    }
    for (int i = 5; i < 8; i++) {
      add(a, at(0, i, 2), out);
    }
    assertEquals(List.of(4, 4), out.stream().map(SampleBatch::size).toList());
    assertTrue(out.get(1).opensEpoch());
    assertArrayEquals(new int[] {1, 2, 2, 2}, out.get(1).epochs());
  }

  @Test
  void anEpochTailShorterThanHalfABatchRidesOnAndTheLastIsDroppedAndCounted() {
    assertEquals(8, BatchAssembler.minTrainingBatch(16));
    assertEquals(2, BatchAssembler.minTrainingBatch(3));
    BatchAssembler a = new BatchAssembler(16, 4, 3, 0, true);
    List<SampleBatch> out = new ArrayList<>();
    int offset = 0;
    for (int epoch = 1; epoch <= 2; epoch++) {
      for (int i = 0; i < 18; i++) { // 16 + a tail of 2 in epoch 1; 2 + 18 = 16 + 4 in epoch 2
        add(a, at(0, offset++, epoch), out);
      }
    }
    for (int i = 0; i < 8; i++) { // epoch 3: 4 + 8 = 12, cut at the end of the input
      add(a, at(0, offset++, 3), out);
    }
    assertEquals(List.of(16, 16), out.stream().map(SampleBatch::size).toList(), "the tails of 2 and 4 rode on");
    assertArrayEquals(new int[] {1, 1, 2, 2}, java.util.Arrays.copyOf(out.get(1).epochs(), 4));
    assertNotNull(a.flush(BatchAssembler.minTrainingBatch(16)), "a last batch of 12 is trained");
    add(a, at(0, offset++, 3), out);
    assertNull(a.flush(BatchAssembler.minTrainingBatch(16)));
    assertEquals(1, a.dropped(), "a last batch below half a batch is dropped and counted");
  }

  @Test
  void aResumedRunOpensTheEpochAfterItsCheckpoint() {
    BatchAssembler a = new BatchAssembler(2, 4, 3, 0, true);
    a.resumeAt(Map.of(0, 4L), 1);
    assertNull(a.add(at(0, 4, 2)));
    assertTrue(a.add(at(0, 5, 2)).opensEpoch());
  }

  private static void add(BatchAssembler a, SourcedSample s, List<SampleBatch> out) {
    SampleBatch b = a.add(s);
    if (b != null) {
      out.add(b);
    }
  }
}
