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
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The job replays two epochs into Kafka and is interrupted: TaskManagers die (mid-epoch, and just
 * after the epoch switch), or it is stopped with a savepoint and resumed. Each time it finishes,
 * read_committed consumers see exactly one sample per (epoch, key) and every broken image once per
 * epoch in the dead-letter topic.
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
    PassTopics t = topics(kafka, "failover" + killAfter);
    StreamExecutionEnvironment env = environment(kafka, mc, t, null);
    JobClient job = env.executeAsync("failover-it-" + killAfter);
    awaitWritten(kafka, t, killAfter);
    // TaskManager 0 goes at once, while its subtask surely has work left (a job given the time to
    // start spares first could finish before the kill: 600 small samples take seconds); its restart
    // waits for the spares' slots. Then TaskManager 1 goes too: a subtask that has already finished
    // its share would not notice the loss of its own.
    mc.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
    mc.startTaskManager();
    mc.startTaskManager();
    mc.terminateTaskManager(1).get(30, TimeUnit.SECONDS);
    job.getJobExecutionResult().get(4, TimeUnit.MINUTES);
    int maxAttempt = 0;
    for (var v : mc.getArchivedExecutionGraph(job.getJobID()).get().getAllExecutionVertices()) {
      maxAttempt = Math.max(maxAttempt, v.getCurrentExecutionAttempt().getAttemptNumber());
    }
    assertTrue(maxAttempt > 0, "the TaskManager loss restarted tasks from a checkpoint");
    verify(kafka, t);
  }

  /**
   * Stopped with a savepoint mid-epoch 1 and resumed from it, the whole job restores at once: the
   * epoch's Kafka enumerator comes back with every split already assigned (the case where it never
   * says "no more splits" by itself, see {@link EpochReplaySource}); the job must still finish.
   */
  @Test
  void aJobResumedFromASavepointFinishesWithExactlyOneSamplePerEpochAndKey(KafkaSettings kafka,
      @TempDir Path dir) throws Exception {
    try (MiniCluster mc = new MiniCluster(new MiniClusterConfiguration.Builder().withRandomPorts()
        .setNumTaskManagers(2).setNumSlotsPerTaskManager(1).build())) {
      mc.start();
      PassTopics t = topics(kafka, "savepoint");
      JobClient first = environment(kafka, mc, t, null).executeAsync("savepoint-it-1");
      awaitWritten(kafka, t, 120);
      String savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
          .get(2, TimeUnit.MINUTES);
      JobClient resumed = environment(kafka, mc, t, savepoint).executeAsync("savepoint-it-2");
      resumed.getJobExecutionResult().get(4, TimeUnit.MINUTES);
      verify(kafka, t);
    }
  }

  private record PassTopics(String raw, Topic<String, AugmentedSample> samples, Topic<String, DeadLetter> dlq) {}

  private static PassTopics topics(KafkaSettings kafka, String version) throws Exception {
    var synthetic = new SyntheticDataset(new SyntheticDataset.Config(2, 150, 1, 2, 21));
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config(version, 3, 1 << 20, Duration.ofSeconds(5)));
    String raw = publisher.publish(synthetic, "train", publisher.defaultTopic(synthetic, "train")).topic();
    Topic<String, AugmentedSample> samples = Topics.samples("synthetic", version, "train");
    Topic<String, DeadLetter> dlq = Topics.deadLetters(raw);
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(samples.name(), 2), TopicAdmin.spec(dlq.name(), 1)), Duration.ofSeconds(30));
    }
    return new PassTopics(raw, samples, dlq);
  }

  /** The preprocess job over two epochs, on {@code mc}, resumed from {@code savepoint} when given. */
  private static StreamExecutionEnvironment environment(KafkaSettings kafka, MiniCluster mc, PassTopics t,
      String savepoint) {
    StreamExecutionEnvironment env = new TestStreamEnvironment(mc, 2);
    env.enableCheckpointing(300);
    Map<String, String> conf = new HashMap<>(Map.of("restart-strategy.type", "fixed-delay",
        "restart-strategy.fixed-delay.attempts", "20", "restart-strategy.fixed-delay.delay", "200 ms"));
    if (savepoint != null) {
      conf.put("execution.state-recovery.path", savepoint);
    }
    env.configure(Configuration.fromMap(conf));
    new PreprocessJob(List.of(KafkaPasses.epochs(kafka, "train", t.raw(), t.samples().name(),
        AugmentPreset.train(32, 5), 1, 2, 64)), ImageDecoder.DEFAULT_MAX_PIXELS, 5).build(env);
    return env;
  }

  private static void awaitWritten(KafkaSettings kafka, PassTopics t, long n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 120_000;
    while (written(kafka, t.samples().name()) < n) { // uncommitted included
      assertTrue(System.currentTimeMillis() < deadline, "job made no progress");
      Thread.sleep(20);
    }
  }

  /** Exactly one sample per (epoch, key) for read_committed readers; each broken image once per epoch. */
  private static void verify(KafkaSettings kafka, PassTopics t) {
    Map<String, Integer> perEpochKey = new HashMap<>();
    BoundedReader.read(kafka, t.samples().name(), null, t.samples().keySerde().deserializer(),
        t.samples().valueSerde().deserializer(), r -> perEpochKey.merge(r.value().getEpoch() + "/" + r.key(), 1,
            Integer::sum), Duration.ofMinutes(1));
    assertEquals(2 * 300, perEpochKey.size(), "every (epoch, key) present");
    perEpochKey.forEach((k, n) -> assertEquals(1, n, "duplicates of " + k));

    Map<String, Integer> dead = new HashMap<>();
    BoundedReader.read(kafka, t.dlq().name(), null, t.dlq().keySerde().deserializer(),
        t.dlq().valueSerde().deserializer(), r -> {
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
