package io.mnpipe.deploy.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicPlanTest {
  private static final TopicSpec RAW = new TopicSpec("raw", 8, (short) 1, Map.of("retention.ms", "-1"));

  @Test
  void missingTopicsAreCreatedAndMatchingOnesLeftAlone() {
    TopicPlan p = TopicPlan.of(List.of(RAW, new TopicSpec("ok", 2, (short) 1, Map.of())),
        Map.of("ok", new TopicPlan.Existing(2, (short) 1, Map.of("segment.ms", "1000"))));
    assertEquals(List.of(RAW), p.create());
    assertEquals(List.of("ok"), p.unchanged(), "settings the file does not name are not touched");
    assertTrue(p.addPartitions().isEmpty() && p.setConfigs().isEmpty());
  }

  @Test
  void reapplyingWhatTheClusterHoldsPlansNothing() {
    TopicPlan p = TopicPlan.of(List.of(RAW), Map.of("raw", new TopicPlan.Existing(8, (short) 1,
        Map.of("retention.ms", "-1"))));
    assertTrue(p.isEmpty());
    assertEquals(List.of("unchanged raw"), p.describe());
  }

  @Test
  void changedSettingsAndMorePartitionsAreApplied() {
    TopicPlan p = TopicPlan.of(List.of(RAW), Map.of("raw", new TopicPlan.Existing(4, (short) 1,
        Map.of("retention.ms", "3600000"))));
    assertEquals(Map.of("raw", 8), p.addPartitions());
    assertEquals(Map.of("raw", Map.of("retention.ms", "-1")), p.setConfigs());
  }

  @Test
  void fewerPartitionsOrAnotherReplicationAreRefusedNamingTheTopic() {
    var shrink = assertThrows(IllegalArgumentException.class, () -> TopicPlan.of(List.of(RAW),
        Map.of("raw", new TopicPlan.Existing(16, (short) 1, Map.of()))));
    assertTrue(shrink.getMessage().contains("raw") && shrink.getMessage().contains("cannot remove partitions"));
    assertThrows(IllegalArgumentException.class, () -> TopicPlan.of(List.of(RAW),
        Map.of("raw", new TopicPlan.Existing(8, (short) 3, Map.of()))));
  }

  @Test
  void theFileMergesEntryConfigOverDefaults() throws Exception {
    var specs = TopicsFile.parse("""
        defaults:
          partitions: 4
          config: {max.message.bytes: "16777216", retention.ms: "1000"}
        topics:
          - name: a
          - name: b
            partitions: 2
            config: {retention.ms: "-1"}
        """, "test");
    assertEquals(new TopicSpec("a", 4, (short) 1, Map.of("max.message.bytes", "16777216", "retention.ms", "1000")),
        specs.get(0));
    assertEquals(new TopicSpec("b", 2, (short) 1, Map.of("max.message.bytes", "16777216", "retention.ms", "-1")),
        specs.get(1));
  }

  @Test
  void fileMistakesAreReportedWithWhere() {
    var dup = assertThrows(IllegalArgumentException.class, () -> TopicsFile.parse("topics: [{name: a}, {name: a}]",
        "f.yaml"));
    assertTrue(dup.getMessage().contains("f.yaml topic #2") && dup.getMessage().contains("twice"), dup.getMessage());
    var key = assertThrows(IllegalArgumentException.class, () -> TopicsFile.parse("topics: [{name: a, partition: 3}]",
        "f.yaml"));
    assertTrue(key.getMessage().contains("unknown key 'partition'"), key.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TopicsFile.parse("topics: [{name: 'bad name'}]", "f.yaml"));
  }

  @Test
  void theShippedTopicsFileParses() throws Exception {
    var specs = TopicsFile.read(Path.of("kafka/topics.yaml"));
    assertTrue(specs.stream().anyMatch(t -> t.name().equals("mnpipe.evaluations")
        && "compact".equals(t.config().get("cleanup.policy"))));
    assertTrue(specs.stream().allMatch(t -> t.config().containsKey("max.message.bytes")));
  }
}
