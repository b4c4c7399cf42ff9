package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The preprocess job on a real MiniCluster between real Kafka topics. */
@ExtendWith(KafkaBroker.class)
class PreprocessJobIT {

  @Test
  void decodesEveryGoodImageOnceAndDeadLettersTheBrokenOnesWithReasons(KafkaSettings kafka) throws Exception {
    var synthetic = new SyntheticDataset(new SyntheticDataset.Config(2, 12, 4, 2, 5));
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config("it", 3, 1 << 20, Duration.ofSeconds(5)));
    String rawTrain = publisher.publish(synthetic, "train", publisher.defaultTopic(synthetic, "train")).topic();
    String rawVal = publisher.publish(synthetic, "val", publisher.defaultTopic(synthetic, "val")).topic();
    Topic<String, AugmentedSample> train = Topics.samples("synthetic", "it", "train");
    Topic<String, AugmentedSample> val = Topics.samples("synthetic", "it", "val");
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(train.name(), 2), TopicAdmin.spec(val.name(), 2),
          TopicAdmin.spec(Topics.deadLetters(rawTrain).name(), 1), TopicAdmin.spec(Topics.deadLetters(rawVal).name(), 1)),
          Duration.ofSeconds(30));
    }
    var job = new PreprocessJob(List.of(
        KafkaPasses.bounded(kafka, "train-e1", rawTrain, train.name(), AugmentPreset.train(32, 1), 1),
        KafkaPasses.bounded(kafka, "val", rawVal, val.name(), AugmentPreset.eval(32), 1)), 100_000_000L);
    var env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
    var results = job.execute(env, "preprocess-it");

    assertEquals(new PreprocessJob.PassResult("train-e1", 24, 2), results.get(0));
    assertEquals(new PreprocessJob.PassResult("val", 8, 0), results.get(1));
    List<AugmentedSample> samples = readAll(kafka, train, 24);
    Map<String, Integer> perKey = new HashMap<>();
    for (AugmentedSample s : samples) {
      perKey.merge(s.getKey(), 1, Integer::sum);
      assertEquals(32 * 32 * 3, s.getPixels().remaining());
      assertEquals(1, s.getEpoch());
      assertTrue(s.getKey().contains(SyntheticDataset.CLASSES.get(s.getLabel())), s.getKey());
    }
    assertEquals(24, perKey.size(), "one sample per key");
    List<DeadLetter> dead = readAll(kafka, Topics.deadLetters(rawTrain), 2);
    assertEquals(2, dead.size());
    for (DeadLetter d : dead) {
      assertTrue(d.getKey().startsWith("broken_"), d.getKey());
      assertTrue(d.getReason().startsWith("corrupt or truncated image") || d.getReason().startsWith("decoder failed"),
          d.getReason());
      assertTrue(d.getPayload().remaining() > 0, "original bytes kept");
    }
  }

  static <V> List<V> readAll(KafkaSettings kafka, Topic<String, V> topic, int expected) {
    List<V> out = new ArrayList<>();
    try (var c = new KafkaConsumer<>(kafka.consumer(null, "it-reader"), topic.keySerde().deserializer(),
        topic.valueSerde().deserializer())) {
      var parts = c.partitionsFor(topic.name()).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(300)).forEach(r -> out.add(r.value()));
        if (out.size() >= expected) {
          // One more poll: anything beyond `expected` would be a duplicate.
          c.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
          break;
        }
      }
    }
    return out;
  }
}
