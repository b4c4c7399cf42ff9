package io.mnpipe.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Trainers' progress on a samples topic as Kafka consumer groups, one per trainer: the committed
 * offset of a partition is where the trainer's next batch starts (what it has consumed), and its
 * metadata {@code checkpoint=N} the offset its latest durable checkpoint resumes from. Standard
 * tooling ({@code kafka-consumer-groups --describe}) sees the lag; the preprocess job reads the
 * consumed offsets to stay a bounded lead ahead, and retention deletes below the checkpointed ones.
 * The trainers assign partitions themselves, so the groups have no members and the offsets are
 * written with the admin API.
 */
public final class TrainerGroups {
  private static final String CHECKPOINT = "checkpoint=";
  private static final String DONE = ";done";

  private TrainerGroups() {}

  /** The group of a training run. */
  public static String of(String runId) {
    return "mnpipe-trainer-" + runId;
  }

  /** Commits {@code consumed} (partition -> next offset) with each partition's checkpointed offset. */
  public static void commit(Admin admin, String group, String topic, Map<Integer, Long> consumed,
      Map<Integer, Long> checkpointed, Duration timeout) {
    commit(admin, group, topic, consumed, checkpointed, false, timeout);
  }

  /**
   * As above; {@code done}: the trainer has stopped, so it no longer holds the producer back (its
   * checkpointed offsets still bound what retention deletes).
   */
  public static void commit(Admin admin, String group, String topic, Map<Integer, Long> consumed,
      Map<Integer, Long> checkpointed, boolean done, Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    consumed.forEach((p, next) -> offsets.put(new TopicPartition(topic, p),
        new OffsetAndMetadata(next, CHECKPOINT + checkpointed.getOrDefault(p, 0L) + (done ? DONE : ""))));
    if (!offsets.isEmpty()) {
      TopicAdmin.await(admin.alterConsumerGroupOffsets(group, offsets).all(), timeout, "commit the offsets of " + group);
    }
  }

  /**
   * Per partition of {@code topic}, the lowest committed offset over {@code groups}, and the lowest
   * checkpointed one: a group without offsets for a partition counts as 0 (it has read nothing). A
   * trainer that is done counts for the checkpointed offsets only; when all are, consumed is
   * {@link Long#MAX_VALUE} (nobody left to wait for).
   *
   * @param partitions the topic's partition count
   */
  public static Slowest slowest(Admin admin, Collection<String> groups, String topic, int partitions,
      Duration timeout) {
    Map<Integer, Long> consumed = new HashMap<>();
    Map<Integer, Long> checkpointed = new HashMap<>();
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
    var result = admin.listConsumerGroupOffsets(specs);
    for (String g : groups) {
      Map<TopicPartition, OffsetAndMetadata> got = TopicAdmin.await(result.partitionsToOffsetAndMetadata(g), timeout,
          "read the offsets of " + g);
      boolean done = got.values().stream().anyMatch(m -> m != null && m.metadata() != null
          && m.metadata().endsWith(DONE));
      for (int p = 0; p < partitions; p++) {
        OffsetAndMetadata m = got.get(new TopicPartition(topic, p));
        long c = done ? Long.MAX_VALUE : m == null ? 0 : m.offset();
        long k = m == null ? 0 : checkpointOf(m);
        consumed.merge(p, c, Math::min);
        checkpointed.merge(p, k, Math::min);
      }
    }
    return new Slowest(consumed, checkpointed);
  }

  /** The slowest trainer's offsets per partition: consumed, and covered by a checkpoint. */
  public record Slowest(Map<Integer, Long> consumed, Map<Integer, Long> checkpointed) {}

  static long checkpointOf(OffsetAndMetadata m) {
    String meta = m.metadata();
    if (meta != null && meta.startsWith(CHECKPOINT)) {
      try {
        String n = meta.substring(CHECKPOINT.length());
        return Long.parseLong(n.endsWith(DONE) ? n.substring(0, n.length() - DONE.length()) : n);
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

}
