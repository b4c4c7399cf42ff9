package io.mnpipe.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The commit metadata a trainer group carries, and the slowest of several groups, without a broker. */
class TrainerGroupsTest {
  @Test
  void metadataParsesEachFieldAndIgnoresWhatItDoesNotKnow() {
    assertEquals(new TrainerGroups.Meta(42, 0, false), TrainerGroups.Meta.parse("checkpoint=42"));
    assertEquals(new TrainerGroups.Meta(42, 3, false), TrainerGroups.Meta.parse("checkpoint=42;waiting=3"));
    assertEquals(new TrainerGroups.Meta(7, 0, true), TrainerGroups.Meta.parse("checkpoint=7;done"));
    assertEquals(new TrainerGroups.Meta(7, 2, true), TrainerGroups.Meta.parse("checkpoint=7;waiting=2;done"));
    assertEquals(new TrainerGroups.Meta(0, 0, false), TrainerGroups.Meta.parse(null));
    assertEquals(new TrainerGroups.Meta(0, 0, false), TrainerGroups.Meta.parse("written by kafka-consumer-groups"));
    assertEquals(new TrainerGroups.Meta(0, 5, false), TrainerGroups.Meta.parse("checkpoint=x;waiting=5"));
  }

  @Test
  void theSlowestIsTheMinimumPerPartitionAndDoneGroupsHoldNothingBack() {
    var fast = new TrainerGroups.Progress(Map.of(0, 40L, 1, 30L), Map.of(0, 20L, 1, 10L), 0, false);
    var slow = new TrainerGroups.Progress(Map.of(0, 12L, 1, 35L), Map.of(0, 8L, 1, 9L), 2, false);
    var s = TrainerGroups.slowest(List.of(fast, slow), 2);
    assertEquals(Map.of(0, 12L, 1, 30L), s.consumed());
    assertEquals(Map.of(0, 8L, 1, 9L), s.checkpointed());
    var slowDone = new TrainerGroups.Progress(slow.consumed(), slow.checkpointed(), 0, true);
    s = TrainerGroups.slowest(List.of(fast, slowDone), 2);
    assertEquals(Map.of(0, 40L, 1, 30L), s.consumed());
    assertEquals(Map.of(0, 8L, 1, 9L), s.checkpointed());
  }
}
