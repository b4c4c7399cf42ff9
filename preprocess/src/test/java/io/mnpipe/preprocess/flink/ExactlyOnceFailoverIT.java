package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.kafka.BoundedReader;
import io.mnpipe.schemas.kafka.KafkaBroker;
import io.mnpipe.schemas.kafka.KafkaSettings;
import io.mnpipe.schemas.kafka.TopicAdmin;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A TaskManager dies mid-epoch while the job replays two epochs into Kafka; after the restore,
 * read_committed consumers see exactly one sample per (epoch, key) and every broken image once
 * per epoch in the dead-letter topic.
 */
@ExtendWith(KafkaBroker.class)
class ExactlyOnceFailoverIT {
  /**
   * Killed at 120 written samples the job is mid-epoch 1; at 330 it has switched to epoch 2, and
   * a subtask restored from a checkpoint taken before the switch must catch up on epoch 1 first
   * (the case Flink's HybridSource alone leaves hanging, see {@link EpochReplaySource}).
   */
  @ParameterizedTest(name = "TaskManager lost after {0} samples written")
  @ValueSource(ints = {120, 330})
  void taskManagerLossLeavesExactlyOneSamplePerEpochAndKey(int killAfter, KafkaSettings kafka) throws Exception {
    // A cluster of its own per case: TaskManager 0 then surely runs one of the two subtasks.
    try (MiniCluster mc = new MiniCluster(new MiniClusterConfiguration.Builder().withRandomPorts()
        .setNumTaskManagers(2).setNumSlotsPerTaskManager(1).build())) {
      mc.start();
      killAndCheck(killAfter, kafka, mc);
    }
  }

  private void killAndCheck(int killAfter, KafkaSettings kafka, MiniCluster mc) throws Exception {
    String version = "failover" + killAfter;
    var synthetic = new SyntheticDataset(new SyntheticDataset.Config(2, 150, 1, 2, 21));
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config(version, 3, 1 << 20, Duration.ofSeconds(5)));
    String raw = publisher.publish(synthetic, "train", publisher.defaultTopic(synthetic, "train")).topic();
    Topic<String, AugmentedSample> samples = Topics.samples("synthetic", version, "train");
    Topic<String, DeadLetter> dlq = Topics.deadLetters(raw);
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(samples.name(), 2), TopicAdmin.spec(dlq.name(), 1)), Duration.ofSeconds(30));
    }

    StreamExecutionEnvironment env = new TestStreamEnvironment(mc, 2);
    env.enableCheckpointing(300);
    env.configure(Configuration.fromMap(Map.of("restart-strategy.type", "fixed-delay",
        "restart-strategy.fixed-delay.attempts", "20", "restart-strategy.fixed-delay.delay", "200 ms")));
    new PreprocessJob(List.of(KafkaPasses.epochs(kafka, "train", raw, samples.name(), AugmentPreset.train(32, 5), 1, 2,
        64)), ImageDecoder.DEFAULT_MAX_PIXELS, 5).build(env);
    JobClient job = env.executeAsync("failover-it-" + killAfter);

    long deadline = System.currentTimeMillis() + 120_000;
    while (written(kafka, samples.name()) < killAfter) { // uncommitted included
      assertTrue(System.currentTimeMillis() < deadline, "job made no progress");
      Thread.sleep(20);
    }
    // A spare TaskManager first, so the restarted job finds free slots at once instead of
    // waiting for the lost one's slots to be released.
    mc.startTaskManager();
    mc.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
    job.getJobExecutionResult().get(4, TimeUnit.MINUTES);
    int maxAttempt = 0;
    for (var v : mc.getArchivedExecutionGraph(job.getJobID()).get().getAllExecutionVertices()) {
      maxAttempt = Math.max(maxAttempt, v.getCurrentExecutionAttempt().getAttemptNumber());
    }
    assertTrue(maxAttempt > 0, "the TaskManager loss restarted tasks from a checkpoint");

    Map<String, Integer> perEpochKey = new HashMap<>();
    BoundedReader.read(kafka, samples.name(), null, samples.keySerde().deserializer(),
        samples.valueSerde().deserializer(), r -> perEpochKey.merge(r.value().getEpoch() + "/" + r.key(), 1,
            Integer::sum), Duration.ofMinutes(1));
    assertEquals(2 * 300, perEpochKey.size(), "every (epoch, key) present");
    perEpochKey.forEach((k, n) -> assertEquals(1, n, "duplicates of " + k));

    Map<String, Integer> dead = new HashMap<>();
    BoundedReader.read(kafka, dlq.name(), null, dlq.keySerde().deserializer(), dlq.valueSerde().deserializer(), r -> {
      dead.merge(r.key(), 1, Integer::sum);
      assertTrue(!r.value().getReason().isBlank() && r.value().getPayload().remaining() > 0, r.value().toString());
    }, Duration.ofMinutes(1));
    assertEquals(Map.of("broken_train_red_disc_000300", 2, "broken_train_green_square_000301", 2), dead);
  }

  /** Records in the topic, committed or not: how far the job has written. */
  private static long written(KafkaSettings kafka, String topic) {
    var props = kafka.consumer(null, "probe");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    try (var c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
