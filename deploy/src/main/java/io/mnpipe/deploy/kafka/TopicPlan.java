package io.mnpipe.deploy.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Declared topics and what the cluster holds in, the changes that make the cluster match out:
 * create missing topics, add partitions, set differing settings. Pure; {@link TopicApplier} carries
 * it out. Applying the same file twice plans nothing the second time. Fewer partitions than a topic
 * has, or another replication factor, cannot be applied in place and fail the plan, naming the topic.
 */
public record TopicPlan(List<TopicSpec> create, Map<String, Integer> addPartitions,
    Map<String, Map<String, String>> setConfigs, List<String> unchanged) {

  /** A topic as the cluster describes it; {@code config} holds the settings that differ from broker defaults. */
  public record Existing(int partitions, short replicationFactor, Map<String, String> config) {}

  public boolean isEmpty() {
    return create.isEmpty() && addPartitions.isEmpty() && setConfigs.isEmpty();
  }

  /**
   * @param declared the file's topics
   * @param existing the cluster's topics by name (only those in the file are looked at)
   */
  public static TopicPlan of(List<TopicSpec> declared, Map<String, Existing> existing) {
    List<TopicSpec> create = new ArrayList<>();
    Map<String, Integer> partitions = new TreeMap<>();
    Map<String, Map<String, String>> configs = new TreeMap<>();
    List<String> unchanged = new ArrayList<>();
    for (TopicSpec t : declared) {
      Existing e = existing.get(t.name());
      if (e == null) {
        create.add(t);
        continue;
      }
      if (t.partitions() < e.partitions()) {
        throw new IllegalArgumentException("topic " + t.name() + " has " + e.partitions() + " partitions and the"
            + " file asks for " + t.partitions() + ": Kafka cannot remove partitions; raise the number in the file"
            + " or recreate the topic");
      }
      if (t.replicationFactor() != e.replicationFactor()) {
        throw new IllegalArgumentException("topic " + t.name() + " has replication factor " + e.replicationFactor()
            + " and the file asks for " + t.replicationFactor() + ": change it with kafka-reassign-partitions, then"
            + " re-apply");
      }
      if (t.partitions() > e.partitions()) {
        partitions.put(t.name(), t.partitions());
      }
      Map<String, String> set = new TreeMap<>();
      t.config().forEach((k, v) -> {
        if (!v.equals(e.config().get(k))) {
          set.put(k, v);
        }
      });
      if (!set.isEmpty()) {
        configs.put(t.name(), set);
      }
      if (t.partitions() == e.partitions() && set.isEmpty()) {
        unchanged.add(t.name());
      }
    }
    return new TopicPlan(List.copyOf(create), Map.copyOf(partitions), Map.copyOf(configs), List.copyOf(unchanged));
  }

  /** One line per change, as {@code topics apply} prints it. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    create.forEach(t -> lines.add("create " + t.name() + " (" + t.partitions() + " partitions, replication "
        + t.replicationFactor() + (t.config().isEmpty() ? "" : ", " + t.config()) + ")"));
    addPartitions.forEach((n, p) -> lines.add("partitions " + n + " -> " + p));
    setConfigs.forEach((n, c) -> lines.add("config " + n + " " + c));
    unchanged.forEach(n -> lines.add("unchanged " + n));
    return lines;
  }
}
