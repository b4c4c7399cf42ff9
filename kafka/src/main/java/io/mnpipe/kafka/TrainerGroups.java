package io.mnpipe.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Trainers' progress on a samples topic as Kafka consumer groups, one per trainer: the committed
 * offset of a partition is where the trainer's next batch starts (what it has consumed), and its
 * metadata {@code checkpoint=N} the offset its latest durable checkpoint resumes from, with
 * {@code ;waiting=E} while the trainer has nothing to train and waits for more of epoch E, and
 * {@code ;done} once it has stopped. Standard
 * tooling ({@code kafka-consumer-groups --describe}) sees the lag; the preprocess job reads the
 * consumed offsets to stay a bounded lead ahead, and retention deletes below the checkpointed ones.
 * The trainers assign partitions themselves, so the groups have no members and the offsets are
 * written with the admin API.
 */
public final class TrainerGroups {
  private static final String CHECKPOINT = "checkpoint=";
  private static final String WAITING = "waiting=";
  private static final String DONE = "done";

  private TrainerGroups() {}

  /** The group of a training run. */
  public static String of(String runId) {
    return "mnpipe-trainer-" + runId;
  }

  /** Commits {@code consumed} (partition -> next offset) with each partition's checkpointed offset. */
  public static void commit(Admin admin, String group, String topic, Map<Integer, Long> consumed,
      Map<Integer, Long> checkpointed, Duration timeout) {
    commit(admin, group, topic, consumed, checkpointed, 0, false, timeout);
  }

  /**
   * As above, and: {@code waitingFor} the epoch whose samples the trainer waits for with nothing
   * left to train (0: it is training); {@code done} the trainer has stopped, so it no longer holds
   * the producer back (its checkpointed offsets still bound what retention deletes).
   */
  public static void commit(Admin admin, String group, String topic, Map<Integer, Long> consumed,
      Map<Integer, Long> checkpointed, int waitingFor, boolean done, Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    String tail = (waitingFor > 0 ? ";" + WAITING + waitingFor : "") + (done ? ";" + DONE : "");
    consumed.forEach((p, next) -> offsets.put(new TopicPartition(topic, p),
        new OffsetAndMetadata(next, CHECKPOINT + checkpointed.getOrDefault(p, 0L) + tail)));
    if (!offsets.isEmpty()) {
      TopicAdmin.await(admin.alterConsumerGroupOffsets(group, offsets).all(), timeout, "commit the offsets of " + group);
    }
  }

  /**
   * One trainer's progress on a topic, per partition: consumed (a group without offsets for a
   * partition has read nothing: 0) and covered by its latest checkpoint; the epoch it waits for
   * with nothing to train (0: none); whether it has stopped.
   */
  public record Progress(Map<Integer, Long> consumed, Map<Integer, Long> checkpointed, int waitingFor,
      boolean done) {}

  /** The progress of each of {@code groups} on {@code topic}, in the order given. */
  public static Map<String, Progress> read(Admin admin, Collection<String> groups, String topic, int partitions,
      Duration timeout) {
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
    var result = admin.listConsumerGroupOffsets(specs);
    Map<String, Progress> out = new LinkedHashMap<>();
    for (String g : groups) {
      Map<TopicPartition, OffsetAndMetadata> got = TopicAdmin.await(result.partitionsToOffsetAndMetadata(g), timeout,
          "read the offsets of " + g);
      Map<Integer, Long> consumed = new HashMap<>();
      Map<Integer, Long> checkpointed = new HashMap<>();
      int waiting = 0;
      boolean done = false;
      for (int p = 0; p < partitions; p++) {
        OffsetAndMetadata m = got.get(new TopicPartition(topic, p));
        Meta meta = Meta.parse(m == null ? null : m.metadata());
        consumed.put(p, m == null ? 0 : m.offset());
        checkpointed.put(p, meta.checkpoint());
        waiting = Math.max(waiting, meta.waitingFor());
        done |= meta.done();
      }
      out.put(g, new Progress(consumed, checkpointed, done ? 0 : waiting, done));
    }
    return out;
  }

  /**
   * Per partition of {@code topic}, the lowest committed offset over {@code groups}, and the lowest
   * checkpointed one. A trainer that is done counts for the checkpointed offsets only; when all are,
   * consumed is {@link Long#MAX_VALUE} (nobody left to wait for).
   *
   * @param partitions the topic's partition count
   */
  public static Slowest slowest(Admin admin, Collection<String> groups, String topic, int partitions,
      Duration timeout) {
    return slowest(read(admin, groups, topic, partitions, timeout).values(), partitions);
  }

  /** As above, from progress already read. */
  public static Slowest slowest(Collection<Progress> groups, int partitions) {
    Map<Integer, Long> consumed = new HashMap<>();
    Map<Integer, Long> checkpointed = new HashMap<>();
    for (Progress g : groups) {
      for (int p = 0; p < partitions; p++) {
        consumed.merge(p, g.done() ? Long.MAX_VALUE : g.consumed().getOrDefault(p, 0L), Math::min);
        checkpointed.merge(p, g.checkpointed().getOrDefault(p, 0L), Math::min);
      }
    }
    return new Slowest(consumed, checkpointed);
  }

  /** The slowest trainer's offsets per partition: consumed, and covered by a checkpoint. */
  public record Slowest(Map<Integer, Long> consumed, Map<Integer, Long> checkpointed) {}

  /** A partition's commit metadata: {@code checkpoint=N[;waiting=E][;done]}; what does not parse counts as 0. */
  record Meta(long checkpoint, int waitingFor, boolean done) {
    static Meta parse(String metadata) {
      long checkpoint = 0;
      int waiting = 0;
      boolean done = false;
      if (metadata != null) {
        for (String field : metadata.split(";")) {
          try {
            if (field.startsWith(CHECKPOINT)) {
              checkpoint = Long.parseLong(field.substring(CHECKPOINT.length()));
            } else if (field.startsWith(WAITING)) {
              waiting = Integer.parseInt(field.substring(WAITING.length()));
            } else if (field.equals(DONE)) {
              done = true;
            }
          } catch (NumberFormatException e) {
            // another tool's metadata: nothing to learn from it
          }
        }
      }
      return new Meta(checkpoint, waiting, done);
    }
  }
}
