package io.mnpipe.deploy.kafka;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Topic specs in, a cluster that matches them out: reads the declared topics' current state,
 * plans with {@link TopicPlan}, and applies creates, partition increases and setting changes.
 * Idempotent: a second apply of the same specs finds nothing to do.
 */
public final class TopicApplier {
  private static final long TIMEOUT_S = 30;

  private final KafkaSettings kafka;

  public TopicApplier(KafkaSettings kafka) {
    this.kafka = kafka;
  }

  /** Plans and applies; returns what was done. With {@code dryRun}, plans only. */
  public TopicPlan apply(List<TopicSpec> specs, boolean dryRun) throws Exception {
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      Admin a = admin.admin();
      TopicPlan plan = TopicPlan.of(specs, existing(a, specs));
      if (dryRun || plan.isEmpty()) {
        return plan;
      }
      if (!plan.create().isEmpty()) {
        List<NewTopic> create = new ArrayList<>();
        for (TopicSpec t : plan.create()) {
          create.add(new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.config()));
        }
        // ensure() also waits until every new partition has a leader that serves reads.
        admin.ensure(create, Duration.ofSeconds(TIMEOUT_S));
      }
      if (!plan.addPartitions().isEmpty()) {
        Map<String, NewPartitions> more = new HashMap<>();
        plan.addPartitions().forEach((n, p) -> more.put(n, NewPartitions.increaseTo(p)));
        a.createPartitions(more).all().get(TIMEOUT_S, TimeUnit.SECONDS);
      }
      if (!plan.setConfigs().isEmpty()) {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        plan.setConfigs().forEach((n, c) -> ops.put(new ConfigResource(ConfigResource.Type.TOPIC, n),
            c.entrySet().stream().map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()),
                AlterConfigOp.OpType.SET)).toList()));
        a.incrementalAlterConfigs(ops).all().get(TIMEOUT_S, TimeUnit.SECONDS);
      }
      return plan;
    }
  }

  /** The declared topics that exist, with partitions, replication and their non-default settings. */
  static Map<String, TopicPlan.Existing> existing(Admin a, List<TopicSpec> specs) throws Exception {
    var names = a.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
    List<String> present = specs.stream().map(TopicSpec::name).filter(names::contains).toList();
    Map<String, TopicPlan.Existing> out = new HashMap<>();
    if (present.isEmpty()) {
      return out;
    }
    Map<String, TopicDescription> described = a.describeTopics(present).allTopicNames().get(TIMEOUT_S,
        TimeUnit.SECONDS);
    Map<ConfigResource, Config> configs = a.describeConfigs(present.stream()
        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get(TIMEOUT_S, TimeUnit.SECONDS);
    for (String n : present) {
      TopicDescription d = described.get(n);
      Map<String, String> set = new HashMap<>();
      for (ConfigEntry e : configs.get(new ConfigResource(ConfigResource.Type.TOPIC, n)).entries()) {
        if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
          set.put(e.name(), e.value());
        }
      }
      out.put(n, new TopicPlan.Existing(d.partitions().size(), (short) d.partitions().get(0).replicas().size(), set));
    }
    return out;
  }
}
