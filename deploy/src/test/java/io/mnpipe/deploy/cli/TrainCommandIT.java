package io.mnpipe.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.trainer.checkpoint.TrainState;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipeline train} on a real broker: classes and epoch size from the manifest; the same command resumes. */
@ExtendWith(KafkaBroker.class)
class TrainCommandIT {
  @Test
  void sameCommandTwiceResumesTheRunToTheEndOfTheTopic(KafkaSettings kafka, @TempDir Path dir) throws Exception {
    String topic = publish(kafka, 64);
    String[] cmd = {"train", "--recipe", "mobilenet_v1_025", "--input-topic", topic, "--bootstrap", kafka.bootstrap(),
        "--checkpoint-dir", dir.toString(), "--val-topic", "val-samples", "--image-size", "32", "--batch-size", "8",
        "--epochs", "1", "--lr", "0.05", "--checkpoint-every", "2", "--until-end", "--metrics-port", "0"};
    String[] capped = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd), java.util.stream.Stream.of(
        "--max-steps", "3")).toArray(String[]::new);

    PublishCommandIT.Result first = PublishCommandIT.pipeline(capped);
    assertEquals(0, first.code(), first.out());
    assertTrue(first.out().contains("train mobilenet_v1_025 (recipe mobilenet_v1_025): 4 classes at 32x32, batch 8,"
        + " lr 0.0500"), first.out());
    assertTrue(first.out().contains("ended (maxSteps) at step 3"), first.out());

    PublishCommandIT.Result second = PublishCommandIT.pipeline(cmd);
    assertEquals(0, second.code(), second.out());
    assertTrue(second.out().contains("ended (end of input) at step 8: 40 samples this time"), second.out());

    Path runDir = dir.resolve("mobilenet_v1_025-" + topic);
    assertEquals(List.of(2L, 3L, 4L, 6L, 8L), Checkpoints.list(runDir).stream()
        .map(d -> Checkpoints.readMeta(d).step()).toList());
    Path last = Checkpoints.latest(runDir).orElseThrow();
    assertEquals(topic, TrainState.read(last).source());
    assertEquals(64L, TrainState.read(last).offsets().values().stream().mapToLong(Long::longValue).sum());
    Properties config = new Properties();
    try (InputStream in = Files.newInputStream(last.resolve(Checkpoints.CONFIG_FILE))) {
      config.load(in);
    }
    assertEquals("val-samples", config.getProperty("valTopic"));
    assertEquals("mobilenet_v1_025", config.getProperty("recipe"));
    assertEquals("64", config.getProperty("samplesPerEpoch"), "epoch size from the manifest");
    assertEquals("3.0E-5", config.getProperty("weightDecay"), "the recipe's");
  }

  /** {@code n} tiny samples of 4 colour classes, and the manifest of their split. */
  private static String publish(KafkaSettings kafka, int n) throws Exception {
    Topic<String, AugmentedSample> samples = Topics.samples("colours", "cli", "train");
    Topic<String, DatasetManifest> datasets = Topics.datasets();
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(samples.name(), 2), TopicAdmin.compacted(datasets.name(), 1)),
          Duration.ofSeconds(30));
    }
    int[][] colours = {{220, 30, 30}, {30, 200, 40}, {40, 50, 220}, {230, 220, 40}};
    SplittableRandom rng = new SplittableRandom(3);
    try (var p = new KafkaProducer<>(kafka.producer("it-train"), samples.keySerde().serializer(),
        samples.valueSerde().serializer());
        var m = new KafkaProducer<>(kafka.producer("it-manifest"), datasets.keySerde().serializer(),
            datasets.valueSerde().serializer())) {
      for (int i = 0; i < n; i++) {
        int label = i % 4;
        byte[] px = new byte[32 * 32 * 3];
        for (int j = 0; j < px.length; j++) {
          px[j] = (byte) Math.max(0, Math.min(255, colours[label][j % 3] + rng.nextInt(-30, 31)));
        }
        AugmentedSample s = AugmentedSample.newBuilder().setKey("s" + i).setLabel(label).setEpoch(1).setHeight(32)
            .setWidth(32).setChannels(3).setPixels(ByteBuffer.wrap(px)).build();
        p.send(new ProducerRecord<>(samples.name(), s.getKey(), s));
      }
      m.send(new ProducerRecord<>(datasets.name(), "colours/cli/train", DatasetManifest.newBuilder()
          .setName("colours").setVersion("cli").setSplit("train").setTopic(Topics.raw("colours", "cli", "train").name())
          .setClassNames(List.of("red", "green", "blue", "yellow")).setCounts(List.of(16L, 16L, 16L, 16L))
          .setTotal(n).setBytes(0).setRejected(0).setSchemaVersion(1).setSource("test").setTime(Instant.now())
          .build()));
    }
    return samples.name();
  }
}
