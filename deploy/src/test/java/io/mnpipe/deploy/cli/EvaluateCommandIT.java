package io.mnpipe.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.CheckpointEvent;
import io.mnpipe.trainer.TrainResult;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.TrainerService;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline evaluate} as its own process next to a trainer on a real broker: killed with
 * SIGKILL while it works through the checkpoints and started again, it leaves exactly one
 * evaluation result per checkpoint event on the evaluations topic.
 */
@ExtendWith(KafkaBroker.class)
class EvaluateCommandIT {
  @TempDir
  Path dir;

  @Test
  void everyCheckpointGetsExactlyOneResultAcrossAKill(KafkaSettings kafka) throws Exception {
    String train = produce(kafka, "train", 400, 1);
    String val = produce(kafka, "val", 1500, 2);
    TrainerConfig cfg = TrainerConfig.builder("mobilenet_v1_025", 4, dir.resolve("ckpt")).runId("eval-kill")
        .imageSize(32).batchSize(16).maxSteps(12).checkpointEverySteps(2).lr(0.02).build();
    TrainResult tr;
    try (TrainerService trainer = new TrainerService(cfg, kafka, train)) {
      tr = trainer.run(true);
    }
    Set<String> checkpoints = new HashSet<>();
    BoundedReader.read(kafka, Topics.CHECKPOINTS, null, Topics.checkpoints().keySerde().deserializer(),
        Topics.checkpoints().valueSerde().deserializer(), r -> {
          CheckpointEvent e = r.value();
          checkpoints.add(e.getRunId() + "/" + e.getStep());
        }, Duration.ofSeconds(30));
    assertTrue(checkpoints.size() >= 6, "checkpoints announced: " + checkpoints + " (" + tr.steps() + " steps)");

    Process first = start(kafka, val, 1);
    killWhen(first, () -> results(kafka).size() >= 1);
    Process second = start(kafka, val, 2);
    try {
      long deadline = System.currentTimeMillis() + 180_000;
      while (!results(kafka).keySet().containsAll(checkpoints)) {
        assertTrue(second.isAlive(), "the restarted evaluator exited; see " + dir.resolve("evaluate-2.log"));
        assertTrue(System.currentTimeMillis() < deadline, "not every checkpoint scored: " + results(kafka));
        Thread.sleep(200);
      }
      Thread.sleep(1500); // a duplicate, were there one, would be published right after
    } finally {
      second.destroyForcibly();
      second.waitFor(30, TimeUnit.SECONDS);
    }
    Map<String, Integer> results = results(kafka);
    assertEquals(checkpoints, results.keySet(), "a result for every checkpoint event and nothing else");
    results.forEach((id, n) -> assertEquals(1, n, "results for " + id));
  }

  /** Result records per checkpoint, duplicates included (compaction has not run). */
  private static Map<String, Integer> results(KafkaSettings kafka) {
    Map<String, Integer> n = new HashMap<>();
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      if (!admin.admin().listTopics().names().get().contains(Topics.EVALUATIONS)) {
        return n;
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    var t = Topics.evaluations();
    BoundedReader.read(kafka, t.name(), null, t.keySerde().deserializer(), t.valueSerde().deserializer(),
        r -> n.merge(r.key(), 1, Integer::sum), Duration.ofSeconds(30));
    return n;
  }

  private Process start(KafkaSettings kafka, String val, int attempt) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g"));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dai.djl") || a.startsWith("-Djava.io.tmpdir"))
        .forEach(cmd::add);
    cmd.addAll(List.of("-jar", Path.of("target", "pipeline.jar").toString(), "evaluate", "--bootstrap",
        kafka.bootstrap(), "--val-topic", val, "--score-every", "--metrics-port", "0", "--batch-size", "100"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("evaluate-" + attempt + ".log").toFile());
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return pb.start();
  }

  private void killWhen(Process p, Callable<Boolean> when) throws Exception {
    try {
      long deadline = System.currentTimeMillis() + 180_000;
      while (!when.call()) {
        assertTrue(p.isAlive(), "the evaluator exited before it could be killed; see " + dir.resolve("evaluate-1.log"));
        assertTrue(System.currentTimeMillis() < deadline, "the evaluator published nothing in 180 s");
        Thread.sleep(50);
      }
    } finally {
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no commit
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Random 32x32 samples with 4 labels: enough to train a few steps and to score on. */
  private static String produce(KafkaSettings kafka, String split, int n, long seed) throws Exception {
    Topic<String, AugmentedSample> topic = Topics.samples("evalkill", "v1", split);
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), 2)), Duration.ofSeconds(30));
    }
    Random rng = new Random(seed);
    try (var p = new KafkaProducer<>(kafka.producer("it-" + split), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (int i = 0; i < n; i++) {
        byte[] px = new byte[32 * 32 * 3];
        rng.nextBytes(px);
        var s = AugmentedSample.newBuilder().setKey(split + i).setLabel(i % 4).setEpoch(1).setHeight(32).setWidth(32)
            .setChannels(3).setPixels(ByteBuffer.wrap(px)).build();
        p.send(new ProducerRecord<>(topic.name(), s.getKey(), s)).get();
      }
    }
    return topic.name();
  }
}
