package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.TrainerGroups;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lead gate's rule, without a broker: per trainer, the lead or the epoch it starves for decides. */
class LeadGateTest {
  private static final Map<Integer, Long> ENDS = Map.of(0, 500L, 1, 400L);
  /** Before the open transaction's records. */
  private static final Map<Integer, Long> COMMITTED = Map.of(0, 300L, 1, 250L);

  private static TrainerGroups.Progress at(long p0, long p1, int waitingFor, boolean done) {
    return new TrainerGroups.Progress(Map.of(0, p0, 1, p1), Map.of(), waitingFor, done);
  }

  @Test
  void theLeadIsSummedOverPartitionsAndNeverNegative() {
    assertEquals(100 + 150, LeadGate.lead(at(400, 250, 0, false), ENDS));
    assertEquals(0, LeadGate.lead(at(600, 400, 0, false), ENDS));
  }

  @Test
  void aTrainerWithinTheLeadLetsEveryEpochThrough() {
    assertTrue(LeadGate.mayEmit(9, List.of(at(400, 250, 0, false)), ENDS, COMMITTED, 250));
    assertFalse(LeadGate.mayEmit(9, List.of(at(400, 250, 0, false)), ENDS, COMMITTED, 249));
  }

  @Test
  void aStarvedTrainerOpensOnlyItsEpochAndTheNext() {
    var starvedIn3 = List.of(at(100, 100, 3, false)); // 700 behind
    assertTrue(LeadGate.mayEmit(2, starvedIn3, ENDS, COMMITTED, 300), "a reader still on an older epoch");
    assertTrue(LeadGate.mayEmit(3, starvedIn3, ENDS, COMMITTED, 300), "the rest of the epoch it waits for");
    assertTrue(LeadGate.mayEmit(4, starvedIn3, ENDS, COMMITTED, 300), "the next epoch, which shows epoch 3 is over");
    assertFalse(LeadGate.mayEmit(5, starvedIn3, ENDS, COMMITTED, 300), "nothing further ahead");
    assertFalse(LeadGate.mayEmit(3, List.of(at(100, 100, 0, false)), ENDS, COMMITTED, 300), "training, not starved: held");
    assertFalse(LeadGate.mayEmit(3, List.of(at(300, 250, 3, false)), ENDS, COMMITTED, 300),
        "starved with nothing committed left: the next checkpoint's commit feeds it, emitting would not");
  }

  @Test
  void everyTrainerMustAgreeAndDoneTrainersDoNotCount() {
    var fastStarved = at(500, 400, 6, false); // caught up, waits for epoch 6
    var slow = at(100, 100, 0, false); // 700 behind, training epoch 4
    assertFalse(LeadGate.mayEmit(6, List.of(fastStarved, slow), ENDS, COMMITTED, 300),
        "a fast trainer's starving must not run the job away from the slow one");
    assertTrue(LeadGate.mayEmit(6, List.of(fastStarved, at(100, 100, 0, true)), ENDS, COMMITTED, 300));
    assertTrue(LeadGate.mayEmit(6, List.of(), ENDS, COMMITTED, 300));
  }
}
