package io.mnpipe.models.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.models.TestSamples;
import io.mnpipe.schemas.avro.AugmentedSample;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loader thread delivers every valid sample exactly once, ends cleanly, and surfaces failures. */
class BatchLoaderTest {
  @Test
  void deliversAllBatchesThenNull() throws Exception {
    List<AugmentedSample> data = TestSamples.dataset(23, 3, 8, 1);
    try (BatchLoader l = new BatchLoader(SampleSource.of(data, 5), new BatchAssembler(4, 8, 3, 0), 2, 2, "t").start()) {
      int samples = 0;
      int batches = 0;
      for (SampleBatch b = l.next(); b != null; b = l.next()) {
        samples += b.size();
        batches++;
      }
      assertEquals(23, samples);
      assertEquals(6, batches);
      assertNull(l.next());
      // The thread recorded its CPU time on the way out, and it stays put once the input has ended.
      long cpu = l.cpuNanos();
      assertTrue(cpu > 0, "loader cpu " + cpu);
      assertEquals(cpu, l.cpuNanos());
    }
  }

  @Test
  void failureOfTheSourceReachesTheCaller() {
    SampleSource broken = new SampleSource() {
      public List<SourcedSample> poll(Duration timeout) {
        throw new IllegalStateException("broker gone");
      }

      public void close() {}
    };
    try (BatchLoader l = new BatchLoader(broken, new BatchAssembler(4, 8, 3, 0), 2, 2, "t").start()) {
      var e = assertThrows(IllegalStateException.class, l::next);
      assertTrue(e.getMessage().contains("broker gone"), e.getMessage());
    }
  }

  @Test
  void closeWakesABlockedCaller() {
    SampleSource endless = new SampleSource() {
      public List<SourcedSample> poll(Duration timeout) {
        return List.of();
      }

      public void close() {}
    };
    BatchLoader l = new BatchLoader(endless, new BatchAssembler(4, 8, 3, 0), 2, 2, "t").start();
    new Thread(() -> {
      sleep(200);
      l.close();
    }).start();
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertNull(l.next()));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
