package io.mnpipe.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.models.TestSamples;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.EvaluationResult;
import io.mnpipe.trainer.TrainResult;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.TrainerService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * (In deploy, which depends on both: the evaluator module does not depend on the trainer.)
 * Trainer and evaluator side by side on a real broker, as the local launcher runs them: the
 * evaluator scores every checkpoint the run announces and stops after the final one.
 */
@ExtendWith(KafkaBroker.class)
class EvaluatorServiceIT {
  @TempDir
  Path dir;

  private static String produce(KafkaSettings kafka, String split, List<AugmentedSample> samples) throws Exception {
    Topic<String, AugmentedSample> topic = Topics.samples("colours", "v1", split);
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), 2)), Duration.ofSeconds(30));
    }
    try (var p = new KafkaProducer<>(kafka.producer("it-" + split), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (AugmentedSample s : samples) {
        p.send(new ProducerRecord<>(topic.name(), s.getKey(), s));
      }
      p.flush();
    }
    return topic.name();
  }

  @Test
  void scoresEveryCheckpointOnceAndStopsAfterTheFinalOne(KafkaSettings kafka) throws Exception {
    String train = produce(kafka, "train", TestSamples.dataset(1200, 4, 32, 11));
    String val = produce(kafka, "val", TestSamples.dataset(128, 4, 32, 12));
    String runId = "it-eval";
    TrainerConfig cfg = TrainerConfig.builder("mobilenet_v1_025", 4, dir).runId(runId).imageSize(32).batchSize(16)
        .lr(0.1).warmupSteps(3).checkpointEverySteps(25).logEverySteps(25).build();

    EvaluatorService evaluator = new EvaluatorService(EvaluatorConfig.of(val).withRunId(runId)
        .withGroupId("it-evaluator").withBatchSize(32), kafka);
    CompletableFuture<List<EvaluationResult>> scored = CompletableFuture.supplyAsync(
        () -> evaluator.runUntilFinal(runId));
    TrainResult trained = new TrainerService(cfg, kafka, train).run(true);
    List<EvaluationResult> results = scored.get(120, TimeUnit.SECONDS);
    evaluator.close();

    assertEquals(List.of(25L, 50L, 75L), trained.checkpoints().stream().map(c -> c.meta().step()).toList());
    List<String> ids = List.of(runId + "/25", runId + "/50", runId + "/75");
    assertEquals(ids, results.stream().map(EvaluationResult::getCheckpoint).toList());
    EvaluationResult last = results.get(2);
    assertEquals(128, last.getSamples());
    assertEquals("mobilenet_v1_025", last.getModel());
    assertTrue(last.getTop1() > 0.5, "4 colour classes: chance is 0.25, got " + last.getTop1());
    assertEquals(1.0, last.getTop5(), 1e-9);
    assertTrue(Double.isFinite(last.getLoss()));

    Map<String, Integer> published = publishedResults(kafka, 3);
    assertEquals(Map.of(ids.get(0), 1, ids.get(1), 1, ids.get(2), 1), published);
  }

  /** Counts results per key on the evaluations topic. */
  private static Map<String, Integer> publishedResults(KafkaSettings kafka, int expected) {
    Topic<String, EvaluationResult> topic = Topics.evaluations();
    Map<String, Integer> seen = new HashMap<>();
    try (var c = new KafkaConsumer<>(kafka.consumer("it-read-" + System.nanoTime(), "it"),
        topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      c.subscribe(List.of(topic.name()));
      long deadline = System.currentTimeMillis() + 15_000;
      // Read a little past the expected count so a duplicate would show.
      long quietUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
        c.poll(Duration.ofMillis(300)).forEach(r -> seen.merge(r.key(), 1, Integer::sum));
        if (seen.values().stream().mapToInt(Integer::intValue).sum() >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.currentTimeMillis() + 1500;
        }
      }
    }
    return seen;
  }
}
