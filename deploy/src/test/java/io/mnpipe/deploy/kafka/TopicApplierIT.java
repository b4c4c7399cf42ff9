package io.mnpipe.deploy.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code topics apply} against a real broker: create, re-apply with no change, change retention and partitions. */
@ExtendWith(KafkaBroker.class)
class TopicApplierIT {

  @Test
  void applyIsIdempotentAndAppliesChanges(KafkaSettings kafka) throws Exception {
    var applier = new TopicApplier(kafka);
    List<TopicSpec> v1 = List.of(
        new TopicSpec("apply.raw", 3, (short) 1, Map.of("retention.ms", "3600000", "max.message.bytes", "16777216")),
        new TopicSpec("apply.results", 1, (short) 1, Map.of("cleanup.policy", "compact")));

    TopicPlan first = applier.apply(v1, false);
    assertEquals(2, first.create().size());
    assertEquals("3600000", setting(kafka, "apply.raw", "retention.ms"));
    assertEquals("compact", setting(kafka, "apply.results", "cleanup.policy"));

    TopicPlan again = applier.apply(v1, false);
    assertTrue(again.isEmpty(), again.describe().toString());
    assertEquals(List.of("apply.raw", "apply.results"), again.unchanged());

    List<TopicSpec> v2 = List.of(
        new TopicSpec("apply.raw", 6, (short) 1, Map.of("retention.ms", "-1", "max.message.bytes", "16777216")),
        v1.get(1));
    TopicPlan dry = applier.apply(v2, true);
    assertEquals(Map.of("apply.raw", Map.of("retention.ms", "-1")), dry.setConfigs());
    assertEquals("3600000", setting(kafka, "apply.raw", "retention.ms"), "a dry run changes nothing");

    TopicPlan changed = applier.apply(v2, false);
    assertEquals(Map.of("apply.raw", 6), changed.addPartitions());
    assertEquals(Map.of("apply.raw", Map.of("retention.ms", "-1")), changed.setConfigs());
    assertEquals("-1", setting(kafka, "apply.raw", "retention.ms"));
    assertTrue(applier.apply(v2, false).isEmpty(), "the changed file, applied again, is a no-op");
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      assertEquals(6, admin.admin().describeTopics(List.of("apply.raw")).allTopicNames().get(30, TimeUnit.SECONDS)
          .get("apply.raw").partitions().size());
    }
  }

  private static String setting(KafkaSettings kafka, String topic, String name) throws Exception {
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      var r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      ConfigEntry e = admin.admin().describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r).get(name);
      return e.value();
    }
  }
}
