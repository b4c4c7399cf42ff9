package io.mnpipe.schemas.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A topic and start offsets in, every record up to the end offsets current at the call out: the
 * bounded read behind manifests, resume points and tests. No consumer group is involved.
 */
public final class BoundedReader {
  private BoundedReader() {}

  /**
   * Reads {@code topic} from {@code from} (partition -> offset; missing partitions start at the
   * beginning) to the end offsets of now, handing each record to {@code sink}.
   *
   * @return the end offsets that were read up to, by partition
   */
  public static <K, V> Map<Integer, Long> read(KafkaSettings kafka, String topic, Map<Integer, Long> from,
      Deserializer<K> keys, Deserializer<V> values, Consumer<ConsumerRecord<K, V>> sink, Duration timeout) {
    try (var c = new KafkaConsumer<>(kafka.consumer(null, "mnpipe-reader-" + topic), keys, values)) {
      List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      if (parts.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      c.assign(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
      for (TopicPartition p : parts) {
        Long start = from == null ? null : from.get(p.partition());
        if (start == null) {
          c.seekToBeginning(List.of(p));
        } else {
          c.seek(p, start);
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " to its end took longer than " + timeout);
        }
        for (ConsumerRecord<K, V> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(topic, r.partition()))) {
            sink.accept(r);
          }
        }
      }
      Map<Integer, Long> out = new HashMap<>();
      end.forEach((p, o) -> out.put(p.partition(), o));
      return out;
    }
  }
}
