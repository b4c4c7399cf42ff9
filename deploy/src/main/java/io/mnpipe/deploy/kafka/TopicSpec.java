package io.mnpipe.deploy.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * One topic as a topics file declares it: name, partitions, replication factor and the topic-level
 * settings to enforce (retention.ms, cleanup.policy, max.message.bytes, ...). Settings not listed
 * are left to the broker's defaults and never touched.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> config) {
  public TopicSpec {
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("topic name '" + name + "' is not a legal Kafka topic name");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("topic " + name + ": replication must be >= 1, got " + replicationFactor);
    }
    config = Map.copyOf(new TreeMap<>(config == null ? Map.of() : config));
  }
}
