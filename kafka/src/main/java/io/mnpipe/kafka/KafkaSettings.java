package io.mnpipe.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where the brokers are and any extra client settings (security, timeouts): every Kafka client of
 * every stage is configured from one of these, so a user's settings reach all of them.
 *
 * @param bootstrap bootstrap servers, host:port[,host:port]
 * @param extra settings passed through verbatim to every client (e.g. from --client-config)
 */
public record KafkaSettings(String bootstrap, Map<String, String> extra) implements java.io.Serializable {
  /** Largest record the pipeline writes: an ImageNet JPEG can exceed 1 MB, Kafka's default. */
  public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  public KafkaSettings {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers must be given as host:port");
    }
    for (String server : bootstrap.split(",")) {
      int colon = server.lastIndexOf(':');
      if (colon <= 0 || !server.substring(colon + 1).matches("\\d{1,5}")) {
        throw new IllegalArgumentException("bootstrap server '" + server + "' is not host:port");
      }
    }
    extra = Map.copyOf(extra == null ? Map.of() : extra);
  }

  public KafkaSettings(String bootstrap) {
    this(bootstrap, Map.of());
  }

  /** Common settings: bootstrap, extras and a client id. */
  public Properties common(String clientId) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    p.putAll(extra);
    return p;
  }

  /** An idempotent producer that waits for all in-sync replicas and accepts image-sized records. */
  public Properties producer(String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1024 * 1024));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
    p.putAll(common(clientId));
    return p;
  }

  /**
   * A consumer that starts at the earliest offset, commits only when told to, and sees only
   * committed records: the preprocess job writes in transactions, and an aborted attempt's
   * samples must never reach the trainer.
   */
  public Properties consumer(String groupId, String clientId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(4 * MAX_RECORD_BYTES));
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.putAll(common(clientId));
    return p;
  }

  public Map<String, Object> asMap(Properties p) {
    Map<String, Object> m = new HashMap<>();
    p.forEach((k, v) -> m.put((String) k, v));
    return m;
  }
}
