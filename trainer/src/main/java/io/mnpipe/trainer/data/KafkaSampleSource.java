package io.mnpipe.trainer.data;

import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.kafka.KafkaSettings;
import io.mnpipe.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AugmentedSample topic in, samples out, from the first offset of every partition. Bounded, it
 * stops at the end offsets that existed when it was opened (records produced later are left for
 * the next run); unbounded, it follows the topic. Assigns partitions itself: no consumer group, no
 * rebalance wait. Reads committed records only, as preprocess writes in transactions.
 */
public final class KafkaSampleSource implements SampleSource {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSampleSource.class);

  private final KafkaConsumer<String, AugmentedSample> consumer;
  private final String topic;
  private final Map<TopicPartition, Long> end = new HashMap<>();
  private final boolean bounded;
  private long expected;
  private volatile long undecodable; // written by the loader thread, read by the trainer

  /**
   * @param topicWait how long to wait for the topic to exist (it may be created by a stage starting alongside)
   */
  public KafkaSampleSource(KafkaSettings kafka, String topic, String clientId, boolean bounded, Duration topicWait) {
    var props = kafka.consumer(null, clientId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new AvroDeserializer<>(AugmentedSample.class));
    this.topic = topic;
    this.bounded = bounded;
    try {
      open(topicWait);
    } catch (RuntimeException e) {
      consumer.close(Duration.ofSeconds(1));
      throw e;
    }
  }

  private void open(Duration topicWait) {
    List<TopicPartition> parts = partitions(topicWait);
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    if (bounded) {
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      end.putAll(consumer.endOffsets(parts));
      for (TopicPartition tp : parts) {
        expected += end.get(tp) - begin.get(tp);
      }
      end.entrySet().removeIf(e -> e.getValue() <= begin.get(e.getKey()));
      LOG.info("reading {} up to its current end: {} records in {} partitions", topic, expected, parts.size());
    }
  }

  private List<TopicPartition> partitions(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic '" + topic + "' does not exist after " + wait.toSeconds()
            + " s; run preprocess for this dataset/split first or check the topic name");
      }
      sleep(200);
    }
  }

  @Override
  public List<AugmentedSample> poll(Duration timeout) {
    if (bounded && end.isEmpty()) {
      return null;
    }
    List<AugmentedSample> out = new ArrayList<>();
    try {
      for (ConsumerRecord<String, AugmentedSample> r : consumer.poll(timeout)) {
        Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
        if (bounded && (stop == null || r.offset() >= stop)) {
          continue;
        }
        if (r.value() == null) {
          undecodable++; // a tombstone carries no sample
        } else {
          out.add(r.value());
        }
      }
    } catch (RecordDeserializationException e) {
      undecodable++;
      LOG.warn("skipped undecodable record at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
    if (bounded) {
      retireFinishedPartitions();
    }
    return out;
  }

  private void retireFinishedPartitions() {
    List<TopicPartition> done = new ArrayList<>();
    end.forEach((tp, stop) -> {
      if (consumer.position(tp) >= stop) {
        done.add(tp);
      }
    });
    if (!done.isEmpty()) {
      consumer.pause(done);
      done.forEach(end::remove);
    }
  }

  @Override
  public OptionalLong expectedRecords() {
    return bounded ? OptionalLong.of(expected) : OptionalLong.empty();
  }

  @Override
  public long undecodable() {
    return undecodable;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a topic", e);
    }
  }
}
