package io.mnpipe.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Linear ramp to the peak, cosine down towards 0 at the horizon, flat without one. */
class WarmupCosineTest {
  @Test
  void warmupThenCosine() {
    WarmupCosine s = new WarmupCosine(0.4f, 4, 104);
    assertEquals(0.1f, s.at(0), 1e-6);
    assertEquals(0.4f, s.at(3), 1e-6);
    assertEquals(0.4f, s.at(4), 1e-6);
    assertEquals(0.2f, s.at(54), 1e-6);
    assertTrue(s.at(103) < 0.001f);
    assertEquals(0f, s.at(500), 1e-6);
    assertEquals(s.at(0), s.getNewValue(1), 0);
  }

  @Test
  void constantWithoutHorizon() {
    WarmupCosine s = new WarmupCosine(0.1f, 0, 0);
    assertEquals(0.1f, s.at(0), 0);
    assertEquals(0.1f, s.at(100_000), 0);
  }
}
