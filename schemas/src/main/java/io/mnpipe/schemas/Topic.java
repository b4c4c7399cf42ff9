package io.mnpipe.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic name with the serdes of its keys and values: the typed contract between stages.
 *
 * @param name topic name
 * @param keySerde serde of record keys
 * @param valueSerde serde of record values
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  public Topic {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
    if (!name.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("'" + name + "' is not a legal Kafka topic name"
          + " (letters, digits, '.', '_' and '-' only, at most 249)");
    }
  }

  /** The same serdes under another name (a user's --topic override). */
  public Topic<K, V> named(String other) {
    return new Topic<>(other, keySerde, valueSerde);
  }
}
