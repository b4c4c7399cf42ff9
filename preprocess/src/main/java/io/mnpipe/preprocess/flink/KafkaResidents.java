package io.mnpipe.preprocess.flink;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.avro.RawImage;
import io.mnpipe.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Raw images read from a Kafka topic in; in a checkpoint, only where each came from (epoch,
 * partition, offset: 16 bytes, not ~110 KB); on restore, the same images read again from the topic.
 *
 * <p>Why: the shuffle buffer is operator state, written whole into every checkpoint. Holding the
 * images made each checkpoint ~134 MB at ImageNet sizes on two subtasks, taking seconds every
 * checkpoint interval; the raw topic holds the very same bytes for as long as the dataset exists.
 */
public final class KafkaResidents implements ResidentState<EpochImage, KafkaResidents.Ref> {
  private static final long serialVersionUID = 1L;
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(5);

  /** Where a buffered image came from. A Flink POJO. */
  public static final class Ref {
    public int epoch;
    public int partition;
    public long offset;

    public Ref() {}

    Ref(int epoch, int partition, long offset) {
      this.epoch = epoch;
      this.partition = partition;
      this.offset = offset;
    }
  }

  private final KafkaSettings kafka;
  private final String topic;

  public KafkaResidents(KafkaSettings kafka, String topic) {
    this.kafka = kafka;
    this.topic = topic;
  }

  @Override
  public TypeInformation<Ref> stateType() {
    return TypeInformation.of(Ref.class);
  }

  @Override
  public Ref toState(EpochImage record) {
    if (record.partition < 0 || record.offset < 0) {
      throw new IllegalStateException("record " + record.key + " has no Kafka position to keep in a checkpoint");
    }
    return new Ref(record.epoch, record.partition, record.offset);
  }

  @Override
  public List<EpochImage> restore(List<Ref> refs) {
    if (refs.isEmpty()) {
      return List.of();
    }
    Map<Integer, TreeSet<Long>> wanted = new HashMap<>();
    for (Ref r : refs) {
      wanted.computeIfAbsent(r.partition, p -> new TreeSet<>()).add(r.offset);
    }
    Map<String, ConsumerRecord<byte[], byte[]>> found = new HashMap<>();
    var props = kafka.consumer(null, "mnpipe-preprocess-shuffle-restore-" + topic);
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (var e : wanted.entrySet()) {
        fetch(consumer, new TopicPartition(topic, e.getKey()), e.getValue(), found);
      }
    }
    AvroDeserializer<RawImage> avro = new AvroDeserializer<>(RawImage.class);
    List<EpochImage> out = new ArrayList<>(refs.size());
    for (Ref r : refs) {
      out.add(EpochDeserializer.read(r.epoch, found.get(r.partition + ":" + r.offset), avro));
    }
    return out;
  }

  /** Reads {@code offsets} of one partition: seeks to the first missing one, takes what each fetch brings. */
  private static void fetch(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, TreeSet<Long> offsets,
      Map<String, ConsumerRecord<byte[], byte[]>> found) {
    consumer.assign(List.of(tp));
    TreeSet<Long> missing = new TreeSet<>(offsets);
    long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
    long position = -1;
    while (!missing.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("restoring the shuffle buffer: " + missing.size() + " records of " + tp
            + " not read back within " + RESTORE_TIMEOUT + " (first missing offset " + missing.first()
            + "); was the raw topic truncated by retention?");
      }
      if (position != missing.first()) {
        position = missing.first();
        consumer.seek(tp, position);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        if (missing.remove(r.offset())) {
          found.put(r.partition() + ":" + r.offset(), r);
        }
        position = r.offset() + 1;
      }
      if (!missing.isEmpty() && missing.first() < position) {
        throw new IllegalStateException("restoring the shuffle buffer: offset " + missing.first() + " of " + tp
            + " is no longer in the raw topic (retention or compaction?); the raw topic must keep the dataset");
      }
      // A gap to the next wanted offset longer than a fetch: jump there instead of reading through.
      if (!missing.isEmpty() && missing.first() > position + 500) {
        position = -1;
      }
    }
  }
}
