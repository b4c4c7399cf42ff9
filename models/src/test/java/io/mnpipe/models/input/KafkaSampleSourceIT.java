package io.mnpipe.models.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.models.TestSamples;
import io.mnpipe.schemas.EpochEnd;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A followed samples topic whose writers mark the end of each epoch in every partition, as the
 * preprocess job does: the source hands out each epoch whole, moves on as soon as an epoch is
 * marked everywhere (not after a partition has idled for {@link KafkaSampleSource#IDLE_NANOS}), and
 * ends once the last epoch is marked, which no other rule can tell on a followed topic.
 */
@ExtendWith(KafkaBroker.class)
class KafkaSampleSourceIT {
  private static final int KEYS = 40;
  private static final int WRITERS = 2;

  @Test
  void aFollowedTopicEndsWhereItsLastEpochIsMarkedInEveryPartition(KafkaSettings kafka) throws Exception {
    Topic<String, AugmentedSample> topic = Topics.samples("marked", "v1", "train");
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), 2)), Duration.ofSeconds(30));
    }
    SplittableRandom rng = new SplittableRandom(3);
    try (var samples = new KafkaProducer<>(kafka.producer("it-marked"), topic.keySerde().serializer(),
        topic.valueSerde().serializer());
        var marks = new KafkaProducer<>(kafka.producer("it-marks"), new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int epoch = 1; epoch <= 2; epoch++) {
        for (int k = 0; k < KEYS; k++) {
          String key = String.format("k%03d", k);
          samples.send(new ProducerRecord<>(topic.name(), k % 2, key, TestSamples.solid(key, k % 4, 8, epoch, rng)))
              .get();
        }
        for (int w = 0; w < WRITERS; w++) {
          EpochEnd end = new EpochEnd(epoch, w, WRITERS);
          for (int p = 0; p < 2; p++) {
            marks.send(new ProducerRecord<>(topic.name(), p, null, end.kafkaKey().getBytes(StandardCharsets.UTF_8),
                null, List.of(new RecordHeader(EpochEnd.HEADER, end.header())))).get();
          }
        }
      }
    }

    List<SourcedSample> got = new ArrayList<>();
    long t0 = System.nanoTime();
    try (var source = new KafkaSampleSource(kafka, topic.name(), "it-marked-reader", false, Duration.ofSeconds(10),
        2, true)) {
      while (true) {
        List<SourcedSample> batch = source.poll(Duration.ofMillis(100));
        if (batch == null) {
          break;
        }
        got.addAll(batch);
        assertTrue(System.nanoTime() - t0 < 60_000_000_000L, "the followed source did not end: " + got.size());
      }
      assertEquals(0, source.undecodable(), "markers are not counted as broken records");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(2 * KEYS, got.size(), "every sample of both epochs, markers not among them");
    for (int i = 0; i < got.size(); i++) {
      assertNotNull(got.get(i).sample());
      assertEquals(i < KEYS ? 1 : 2, got.get(i).sample().getEpoch(), "epoch 1 whole before epoch 2, at " + i);
    }
    assertTrue(seconds < KafkaSampleSource.IDLE_NANOS / 1e9,
        "epoch 2 was released by the markers, not after an idle wait: " + seconds + " s");
  }
}
