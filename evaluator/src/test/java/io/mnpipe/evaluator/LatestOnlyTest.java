package io.mnpipe.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mnpipe.schemas.avro.CheckpointEvent;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Which waiting checkpoints a latest-only evaluator skips: all but the newest of each run. */
class LatestOnlyTest {
  private static ConsumerRecord<String, CheckpointEvent> event(long offset, String run, long step) {
    var e = CheckpointEvent.newBuilder().setModel("mobilenet_v2_100").setRunId(run).setStep(step).setEpoch(1)
        .setLocation("/ckpt/" + run + "/" + step).setTrainLoss(1.0).setNumClasses(10).setImageSize(32)
        .setTime(Instant.EPOCH).build();
    return new ConsumerRecord<>("mnpipe.checkpoints", 0, offset, run + "/" + step, e);
  }

  @Test
  void onlyTheNewestOfEachRunIsKept() {
    var a1 = event(0, "a", 100);
    var b1 = event(1, "b", 50);
    var a2 = event(2, "a", 200);
    var a3 = event(3, "a", 300);
    var b2 = event(4, "b", 60);
    assertEquals(Set.of(a1, a2, b1), EvaluatorService.superseded(List.of(a1, b1, a2, a3, b2)));
    assertEquals(Set.of(), EvaluatorService.superseded(List.of(a3, b2)), "one waiting per run: nothing skipped");
  }

  @Test
  void resultsAreKeyedLikeCheckpointIds() {
    assertEquals("a/300", EvaluatorService.id(event(0, "a", 300).value()));
  }
}
