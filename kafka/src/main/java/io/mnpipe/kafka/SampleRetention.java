package io.mnpipe.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Bounded disk for a samples topic: the records that every registered trainer's latest checkpoint
 * has moved past (the {@code checkpoint=} offsets of {@link TrainerGroups}) are deleted, so the
 * topic holds what the trainers still need, whatever the number of epochs. A trainer killed and
 * restarted resumes from its checkpoint, which lies at or above the new start of every partition.
 * Kafka frees the disk once whole segments lie below the start, so samples topics get small
 * segments ({@link #SEGMENT_BYTES}).
 */
public final class SampleRetention {
  /** Segment size of a samples topic whose consumed records are deleted: the unit Kafka can free. */
  public static final int SEGMENT_BYTES = 1 << 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private SampleRetention() {}

  /** A samples topic whose records {@link #deleteCheckpointed} may delete: small segments. */
  public static NewTopic spec(String name, int partitions) {
    NewTopic t = TopicAdmin.spec(name, partitions);
    Map<String, String> configs = new HashMap<>(t.configs());
    configs.put(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(SEGMENT_BYTES));
    return t.configs(configs);
  }

  /**
   * Deletes the records of {@code topic} below the slowest checkpoint of {@code groups}; returns the
   * number of records that now lie below the partitions' start offsets and were not before.
   */
  public static long deleteCheckpointed(Admin admin, Collection<String> groups, String topic, int partitions) {
    return deleteBelowCheckpoints(admin, TrainerGroups.read(admin, groups, topic, partitions, TIMEOUT).values(), topic,
        partitions);
  }

  /** As above, from the groups' progress already read. */
  public static long deleteBelowCheckpoints(Admin admin, Collection<TrainerGroups.Progress> groups, String topic,
      int partitions) {
    if (groups.isEmpty()) {
      return 0; // nobody registered: nothing is known to be trained
    }
    var slowest = TrainerGroups.slowest(groups, partitions);
    Map<Integer, Long> starts = TopicAdmin.offsets(admin, topic, partitions, OffsetSpec.earliest(), TIMEOUT);
    Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
    long freed = 0;
    for (int p = 0; p < partitions; p++) {
      long below = slowest.checkpointed().getOrDefault(p, 0L);
      long start = starts.get(p);
      if (below > start) {
        delete.put(new TopicPartition(topic, p), RecordsToDelete.beforeOffset(below));
        freed += below - start;
      }
    }
    if (!delete.isEmpty()) {
      TopicAdmin.await(admin.deleteRecords(delete).all(), TIMEOUT, "delete the trained records of " + topic);
    }
    return freed;
  }
}
