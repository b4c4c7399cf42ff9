package io.mnpipe.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A topic and start offsets in, every record up to the end offsets current at the call out: the
 * bounded read behind manifests, resume points and tests. No consumer group is involved. One
 * reader can read several topics in turn with one consumer (one connection, one metadata fetch).
 */
public final class BoundedReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration timeout;

  public BoundedReader(KafkaSettings kafka, String clientId, Duration timeout) {
    Properties props = kafka.consumer(null, clientId);
    // A fetch parked on the broker for data that will not come blocks the next request on the
    // connection (brokers serve a connection in order): a bounded read never waits for more.
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.timeout = timeout;
  }

  /** One read with a consumer of its own; see {@link #readTopic}. */
  public static <K, V> Map<Integer, Long> read(KafkaSettings kafka, String topic, Map<Integer, Long> from,
      Deserializer<K> keys, Deserializer<V> values, Consumer<ConsumerRecord<K, V>> sink, Duration timeout) {
    try (BoundedReader r = new BoundedReader(kafka, "mnpipe-reader-" + topic, timeout)) {
      return r.readTopic(topic, from, keys, values, sink);
    }
  }

  /**
   * Reads {@code topic} from {@code from} (partition -> offset; missing partitions start at the
   * beginning) to the end offsets of now, handing each record to {@code sink}. Partitions with
   * nothing to read cost no fetch.
   *
   * @return the end offsets that were read up to, by partition
   */
  public <K, V> Map<Integer, Long> readTopic(String topic, Map<Integer, Long> from, Deserializer<K> keys,
      Deserializer<V> values, Consumer<ConsumerRecord<K, V>> sink) {
    List<TopicPartition> parts = consumer.partitionsFor(topic, timeout).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    if (parts.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
    Map<TopicPartition, Long> begin = from == null || parts.stream().anyMatch(p -> !from.containsKey(p.partition()))
        ? consumer.beginningOffsets(parts, timeout) : Map.of();
    Map<TopicPartition, Long> start = new HashMap<>();
    for (TopicPartition p : parts) {
      Long f = from == null ? null : from.get(p.partition());
      start.put(p, f != null ? f : begin.get(p));
    }
    List<TopicPartition> todo = parts.stream().filter(p -> start.get(p) < end.get(p)).toList();
    consumer.assign(todo);
    todo.forEach(p -> consumer.seek(p, start.get(p)));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (todo.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("reading " + topic + " to its end took longer than " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() < end.get(tp) && io.mnpipe.schemas.EpochEnd.of(r.headers()) == null) { // markers are not data
          sink.accept(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(),
              keys.deserialize(r.topic(), r.key()), values.deserialize(r.topic(), r.value())));
        }
      }
    }
    consumer.assign(List.of());
    Map<Integer, Long> out = new HashMap<>();
    end.forEach((p, o) -> out.put(p.partition(), o));
    return out;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
