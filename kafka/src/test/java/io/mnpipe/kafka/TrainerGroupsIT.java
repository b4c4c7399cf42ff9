package io.mnpipe.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Trainer progress as consumer-group offsets on a real broker: the slowest group, done groups, retention. */
@ExtendWith(KafkaBroker.class)
class TrainerGroupsIT {
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void theSlowestGroupBoundsTheLeadAndADoneGroupOnlyRetention(KafkaSettings kafka) throws Exception {
    String topic = "samples-groups";
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(SampleRetention.spec(topic, 2)), T);
      var a = admin.admin();
      TrainerGroups.commit(a, "fast", topic, Map.of(0, 40L, 1, 30L), Map.of(0, 20L, 1, 10L), T);
      TrainerGroups.commit(a, "slow", topic, Map.of(0, 12L, 1, 35L), Map.of(0, 8L, 1, 9L), T);
      var both = TrainerGroups.slowest(a, List.of("fast", "slow", "unregistered-yet"), topic, 2, T);
      assertEquals(Map.of(0, 0L, 1, 0L), both.consumed(), "a group without offsets has read nothing");
      both = TrainerGroups.slowest(a, List.of("fast", "slow"), topic, 2, T);
      assertEquals(Map.of(0, 12L, 1, 30L), both.consumed());
      assertEquals(Map.of(0, 8L, 1, 9L), both.checkpointed());
      TrainerGroups.commit(a, "slow", topic, Map.of(0, 12L, 1, 35L), Map.of(0, 8L, 1, 9L), 3, false, T);
      var read = TrainerGroups.read(a, List.of("fast", "slow"), topic, 2, T);
      assertEquals(new TrainerGroups.Progress(Map.of(0, 12L, 1, 35L), Map.of(0, 8L, 1, 9L), 3, false), read.get("slow"),
          "the epoch a starved trainer waits for travels with its offsets");
      assertEquals(0, read.get("fast").waitingFor());

      TrainerGroups.commit(a, "slow", topic, Map.of(0, 12L, 1, 35L), Map.of(0, 8L, 1, 9L), 0, true, T);
      var oneDone = TrainerGroups.slowest(a, List.of("fast", "slow"), topic, 2, T);
      assertEquals(Map.of(0, 40L, 1, 30L), oneDone.consumed(), "a done trainer holds nobody back");
      assertEquals(Map.of(0, 8L, 1, 9L), oneDone.checkpointed(), "but its checkpoint still bounds retention");
      TrainerGroups.commit(a, "fast", topic, Map.of(0, 40L, 1, 30L), Map.of(0, 20L, 1, 10L), 0, true, T);
      assertEquals(Map.of(0, Long.MAX_VALUE, 1, Long.MAX_VALUE),
          TrainerGroups.slowest(a, List.of("fast", "slow"), topic, 2, T).consumed());
    }
  }
}
