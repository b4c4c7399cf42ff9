package io.mnpipe.deploy.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A topics YAML file in (deploy/kafka/topics.yaml), topic specs out. Shape: optional
 * {@code defaults} (partitions, replication, config) and a {@code topics} list of entries with a
 * {@code name} and any of the same keys; an entry's config is merged over the defaults'.
 */
public final class TopicsFile {
  private static final Set<String> ENTRY_KEYS = Set.of("name", "partitions", "replication", "config");

  private TopicsFile() {}

  public static List<TopicSpec> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("topics file " + file + " does not exist");
    }
    return parse(Files.readString(file), file.toString());
  }

  public static List<TopicSpec> parse(String yaml, String where) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    if (root == null || !root.isObject() || !root.path("topics").isArray()) {
      throw new IllegalArgumentException(where + ": expected a 'topics:' list");
    }
    JsonNode defaults = root.path("defaults");
    check(defaults, Set.of("partitions", "replication", "config"), where + " defaults");
    int defPartitions = defaults.path("partitions").asInt(1);
    int defReplication = defaults.path("replication").asInt(1);
    Map<String, String> defConfig = config(defaults.path("config"), where + " defaults");
    List<TopicSpec> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int i = 0;
    for (JsonNode t : root.get("topics")) {
      i++;
      String at = where + " topic #" + i;
      check(t, ENTRY_KEYS, at);
      String name = t.path("name").asText(null);
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(at + ": 'name' is required");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(at + ": topic " + name + " is declared twice");
      }
      Map<String, String> config = new LinkedHashMap<>(defConfig);
      config.putAll(config(t.path("config"), at));
      out.add(new TopicSpec(name, t.path("partitions").asInt(defPartitions),
          (short) t.path("replication").asInt(defReplication), config));
    }
    return out;
  }

  private static void check(JsonNode node, Set<String> allowed, String where) {
    if (node.isMissingNode()) {
      return;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + ": expected a mapping");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException(where + ": unknown key '" + k + "'; known: " + allowed);
      }
    }
  }

  private static Map<String, String> config(JsonNode node, String where) {
    Map<String, String> m = new LinkedHashMap<>();
    if (node.isMissingNode() || node.isNull()) {
      return m;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + ": 'config' must be a mapping of topic settings");
    }
    node.fields().forEachRemaining(e -> {
      if (!e.getValue().isValueNode()) {
        throw new IllegalArgumentException(where + ": config " + e.getKey() + " must be a single value");
      }
      m.put(e.getKey(), e.getValue().asText());
    });
    return m;
  }
}
