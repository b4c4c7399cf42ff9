package io.mnpipe.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Top-k counting and the loss on hand-made logits. */
class TopKAccuracyTest {
  @Test
  void countsTop1AndTop5() {
    int k = 7;
    float[] logits = {
        // true 0 ranks 1st
        9, 1, 2, 3, 4, 5, 6,
        // true 1 ranks 3rd
        7, 5, 6, 0, 0, 0, 0,
        // true 6 ranks 6th (five higher)
        6, 5, 4, 3, 2, 7, 1,
        // true 3 ranks 5th (four higher)
        5, 6, 7, 3, 8, 0, 0};
    TopKAccuracy a = new TopKAccuracy();
    a.add(logits, k, new int[] {0, 1, 6, 3}, 4);
    assertEquals(4, a.samples());
    assertEquals(0.25, a.top1(), 1e-12);
    assertEquals(0.75, a.top5(), 1e-12);
  }

  @Test
  void accumulatesAcrossBatchesAndComputesCrossEntropy() {
    TopKAccuracy a = new TopKAccuracy();
    a.add(new float[] {0, 0}, 2, new int[] {1}, 1);
    a.add(new float[] {1000, 0, 0, 1000}, 2, new int[] {0, 1, 99}, 2);
    assertEquals(3, a.samples());
    assertEquals(1.0, a.top1(), 1e-12); // the tie counts as a hit
    assertEquals(1.0, a.top5(), 1e-12); // fewer than 5 classes
    assertEquals(Math.log(2) / 3, a.meanLoss(), 1e-9); // big logits stay finite
  }

  @Test
  void emptyIsNaNAndBadLabelsFail() {
    TopKAccuracy a = new TopKAccuracy();
    assertTrue(Double.isNaN(a.top1()));
    var e = assertThrows(IllegalArgumentException.class, () -> a.add(new float[] {1, 2}, 2, new int[] {2}, 1));
    assertTrue(e.getMessage().contains("label 2"), e.getMessage());
  }
}
