package io.mnpipe.models.input;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.EpochEnd;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
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
 * An AugmentedSample topic in, samples with their partition and offset out, from the first offset
 * of every partition or from a run's resume point ({@link #seek}). Bounded, it stops at the end
 * offsets that existed when it was opened (records produced later are left for the next run);
 * unbounded, it follows the topic. Assigns partitions itself: no consumer group, no rebalance wait,
 * no committed offsets (the trainer keeps its own in checkpoints). Reads committed records only, as
 * preprocess writes in transactions. Created with an epoch limit, it hands epochs out in order
 * across partitions ({@link EpochBarrier}) and ends once every partition is past the last epoch.
 * A followed topic can be told that its producer is done ({@link #endAtCurrentEnd}): it then reads
 * on to the end offsets of that moment and ends there. A topic whose producer marks the end of
 * each epoch in every partition ({@link EpochEnd}, the preprocess job does when it streams into
 * trainers) needs neither: an epoch is over once it is marked everywhere, and a followed input
 * ends once the last epoch is.
 */
public final class KafkaSampleSource implements SampleSource {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSampleSource.class);

  private final KafkaConsumer<String, AugmentedSample> consumer;
  private final String topic;
  private final Map<TopicPartition, Long> end = new HashMap<>();
  private boolean bounded; // loader thread only; turns true once an end is fixed (at open, or on request)
  private volatile boolean endRequested;
  /** When following: since when each caught-up partition has had nothing new (see {@link #releaseBarrier}). */
  private final Map<TopicPartition, Long> caughtUpSince = new HashMap<>();
  /** A followed partition caught up this long counts as having nothing more for the epoch. */
  static final long IDLE_NANOS = 10_000_000_000L;
  private final int maxEpoch;
  private final boolean ordered;
  private List<TopicPartition> parts;
  private volatile EpochBarrier barrier; // its epoch is read by other threads (epoch())
  private final EpochMarkers markers = new EpochMarkers();
  /** The epoch a resumed run starts in: its markers may lie before the resume point, unread. */
  private int resumedEpoch;
  private long expected;
  private volatile long undecodable; // written by the loader thread, read by the trainer
  private volatile long lag = -1;

  /** Reads records in the order Kafka hands them out, every epoch (the evaluator's validation reads). */
  public KafkaSampleSource(KafkaSettings kafka, String topic, String clientId, boolean bounded, Duration topicWait) {
    this(kafka, topic, clientId, bounded, topicWait, 0, false);
  }

  /**
   * @param topicWait how long to wait for the topic to exist (it may be created by a stage starting alongside)
   * @param maxEpoch with {@code epochOrdered}: a partition ends at its first record of a later epoch; 0 = none
   * @param epochOrdered hand out epoch e of every partition before epoch e+1 of any
   */
  public KafkaSampleSource(KafkaSettings kafka, String topic, String clientId, boolean bounded, Duration topicWait,
      int maxEpoch, boolean epochOrdered) {
    var props = kafka.consumer(null, clientId);
    // Again after any --client-config extras: aborted preprocess attempts must never reach training.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new AvroDeserializer<>(AugmentedSample.class));
    this.topic = topic;
    this.bounded = bounded;
    this.maxEpoch = maxEpoch;
    this.ordered = epochOrdered;
    this.barrier = epochOrdered ? new EpochBarrier(1, maxEpoch) : null;
    try {
      open(topicWait);
    } catch (RuntimeException e) {
      consumer.close(Duration.ofSeconds(1));
      throw e;
    }
  }

  private void open(Duration topicWait) {
    parts = partitions(topicWait);
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
    if (bounded) {
      end.putAll(consumer.endOffsets(parts));
    }
    limitTo(begin);
  }

  /** Bounded: counts what lies between {@code start} and the end offsets, and drops partitions with nothing. */
  private void limitTo(Map<TopicPartition, Long> start) {
    if (!bounded) {
      return;
    }
    expected = 0;
    for (TopicPartition tp : parts) {
      expected += Math.max(0, end.getOrDefault(tp, 0L) - start.get(tp));
    }
    List<TopicPartition> empty = end.keySet().stream().filter(tp -> end.get(tp) <= start.get(tp)).toList();
    consumer.pause(empty); // nothing to read there: no fetches either
    empty.forEach(end::remove);
    LOG.info("reading {} up to its current end: {} records in {} partitions", topic, expected, parts.size());
  }

  @Override
  public void seek(Map<Integer, Long> next, int epoch) {
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
    Map<TopicPartition, Long> latest = consumer.endOffsets(parts);
    Map<TopicPartition, Long> start = new HashMap<>(begin);
    for (TopicPartition tp : parts) {
      Long at = next.get(tp.partition());
      if (at == null) {
        continue;
      }
      if (at < begin.get(tp)) {
        LOG.warn("{}: records {}..{} were deleted (retention) before they were trained; resuming at {}", tp, at,
            begin.get(tp) - 1, begin.get(tp));
      } else if (at > latest.get(tp)) {
        throw new IllegalStateException("resume point " + at + " of " + tp + " lies beyond its end " + latest.get(tp)
            + ": was the topic deleted and recreated? start the run over (--fresh) or use another --run-id");
      } else {
        consumer.seek(tp, at);
        start.put(tp, at);
      }
    }
    Set<Integer> unknown = new HashSet<>(next.keySet());
    parts.forEach(tp -> unknown.remove(tp.partition()));
    if (!unknown.isEmpty()) {
      throw new IllegalStateException("the run was trained on partitions " + unknown + " that " + topic
          + " no longer has; start the run over (--fresh) or use another --run-id");
    }
    barrier = ordered ? new EpochBarrier(epoch, maxEpoch) : null;
    resumedEpoch = next.isEmpty() ? 0 : epoch;
    limitTo(start);
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

  /**
   * The producer has finished (say, the preprocess job ended): read on to the end offsets the topic
   * has when the reading thread next polls, then end. Any thread; no effect on a bounded source.
   */
  public void endAtCurrentEnd() {
    endRequested = true;
  }

  /** On the polling thread: a requested end becomes the bound; partitions already there are retired. */
  private void fixRequestedEnd() {
    end.putAll(consumer.endOffsets(parts)); // read_committed: the last stable offsets
    bounded = true;
    retireFinishedPartitions();
    LOG.info("{}: its producer is done; reading on to its end in {} partition(s)", topic, end.size());
  }

  @Override
  public List<SourcedSample> poll(Duration timeout) {
    if (endRequested && !bounded) {
      fixRequestedEnd();
    }
    if ((bounded && end.isEmpty()) || (barrier != null && barrier.finished())) {
      return null;
    }
    List<SourcedSample> out = new ArrayList<>();
    try {
      for (ConsumerRecord<String, AugmentedSample> r : consumer.poll(timeout)) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Long stop = end.get(tp);
        if (bounded && (stop == null || r.offset() >= stop)) {
          continue;
        }
        if (barrier != null && barrier.isWaiting(r.partition())) {
          continue; // rewound to its first record of a later epoch: what follows is read again later
        }
        EpochEnd marker = EpochEnd.of(r.headers());
        if (marker != null) {
          markers.add(r.partition(), marker); // not a sample: nothing to hand out
        } else if (r.value() == null) {
          undecodable++; // a tombstone carries no sample
        } else if (barrier == null || barrier.admit(r.partition(), r.value().getEpoch())) {
          out.add(new SourcedSample(r.value(), r.partition(), r.offset()));
        } else if (!consumer.paused().contains(tp)) {
          // The partition's next epoch waits for the others: read it again from here later.
          consumer.pause(List.of(tp));
          consumer.seek(tp, r.offset());
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
    if (barrier != null) {
      releaseBarrier();
    }
    lag = currentLag();
    return out;
  }

  private void retireFinishedPartitions() {
    List<TopicPartition> done = new ArrayList<>();
    end.forEach((tp, stop) -> {
      if (!consumer.paused().contains(tp) && consumer.position(tp) >= stop) {
        done.add(tp);
      }
    });
    if (!done.isEmpty()) {
      consumer.pause(done);
      done.forEach(end::remove);
    }
  }

  /**
   * Partitions with nothing to read (ended, or when following, caught up for {@link #IDLE_NANOS})
   * do not hold an epoch back. A followed partition that is caught up only for now is waiting for
   * the producer's next commit: releasing the next epoch then would let the rest of this one trail
   * into it, and the batches would depend on the commits' timing.
   */
  private void releaseBarrier() {
    Set<Integer> all = new HashSet<>();
    Set<Integer> idle = new HashSet<>();
    long now = System.nanoTime();
    int epoch = barrier.epoch();
    // Marked epochs are whole once marked everywhere; the idle rule is for unmarked topics, and for
    // the epoch a run resumed in (some of its markers may lie before the resume point).
    boolean byMarkers = markers.any() && epoch != resumedEpoch;
    boolean lastMarkedEverywhere = byMarkers && epoch == barrier.maxEpoch();
    for (TopicPartition tp : parts) {
      all.add(tp.partition());
      if (barrier.isWaiting(tp.partition())) {
        continue;
      }
      boolean marked = byMarkers && markers.complete(tp.partition(), epoch);
      lastMarkedEverywhere &= marked;
      boolean nothingNow;
      if (bounded) {
        nothingNow = !end.containsKey(tp) || marked;
      } else if (marked) {
        nothingNow = true;
      } else if (consumer.currentLag(tp).orElse(1) == 0) {
        nothingNow = !byMarkers && now - caughtUpSince.computeIfAbsent(tp, t -> now) >= IDLE_NANOS;
      } else {
        caughtUpSince.remove(tp);
        nothingNow = false;
      }
      if (nothingNow) {
        idle.add(tp.partition());
      }
    }
    if (lastMarkedEverywhere && !barrier.finished()) {
      barrier.finish();
      LOG.info("{}: the end of epoch {}, the last, is marked in every partition; the input ends here", topic, epoch);
      return;
    }
    int before = barrier.epoch();
    List<Integer> go = barrier.release(all, idle);
    if (!go.isEmpty()) {
      LOG.info("{}: epoch {} read from every partition; epoch {} starts", topic, before, barrier.epoch());
      markers.forgetBefore(barrier.epoch());
      consumer.resume(go.stream().map(p -> new TopicPartition(topic, p)).toList());
    } else if (barrier.finished()) {
      LOG.info("{}: every partition is past epoch {}; the input ends here", topic, maxEpoch);
    }
  }

  @Override
  public int epoch() {
    EpochBarrier b = barrier;
    return b == null ? 0 : b.epoch();
  }

  /** The topic's partition count. */
  public int partitions() {
    return parts.size();
  }

  @Override
  public OptionalLong expectedRecords() {
    return bounded ? OptionalLong.of(expected) : OptionalLong.empty();
  }

  /** Sum of records behind the end over the partitions whose lag the consumer knows (no request made). */
  private long currentLag() {
    long sum = 0;
    boolean known = false;
    for (TopicPartition tp : consumer.assignment()) {
      var l = consumer.currentLag(tp);
      if (l.isPresent()) {
        sum += l.getAsLong();
        known = true;
      }
    }
    return known ? sum : lag;
  }

  @Override
  public long lag() {
    return lag;
  }

  @Override
  public long undecodable() {
    return undecodable;
  }

  @Override
  public String name() {
    return topic;
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
