package io.mnpipe.ingest.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.source.Sample;
import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.RawImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** kill -9 of a publisher mid-split, a broker restart, a re-run: exactly one record per sample. */
@ExtendWith(KafkaBroker.class)
class ResumablePublishIT {

  @Test
  void rerunAfterKillLeavesExactlyOneRecordPerSample(KafkaBroker.Handle broker) throws Exception {
    KafkaSettings kafka = broker.settings();
    var source = new PublishProcess.WithGaps();
    String version = "kill";
    Topic<String, RawImage> topic = Topics.raw(source.name(), version, "train");

    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
        PublishProcess.class.getName(), kafka.bootstrap(), version, "40").inheritIO().start();
    try {
      long deadline = System.currentTimeMillis() + 120_000;
      while (records(kafka, topic.name()) < 250) {
        assertTrue(p.isAlive(), "publisher ended before it could be killed");
        assertTrue(System.currentTimeMillis() < deadline, "publisher too slow");
        Thread.sleep(100);
      }
    } finally {
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
      p.waitFor(30, TimeUnit.SECONDS);
    }
    long beforeRerun = records(kafka, topic.name());
    assertTrue(beforeRerun < 602, "killed mid-split, had " + beforeRerun);
    broker.restart();

    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config(version, 3, 1 << 20,
        Duration.ofSeconds(1), 40));
    PublishReport report = publisher.publish(source, "train", topic);
    assertTrue(report.resumed() >= 250 && report.resumed() < 602, "resumed " + report.resumed());

    List<Sample> all = source.all("train");
    Map<String, byte[]> expected = new HashMap<>();
    long gaps = 0;
    for (Sample s : all) {
      if (s.image().length == 0) {
        gaps++;
      } else {
        expected.put(s.key(), s.image());
      }
    }
    Map<String, Integer> seen = new HashMap<>();
    BoundedReader.read(kafka, topic.name(), null, topic.keySerde().deserializer(), topic.valueSerde().deserializer(),
        r -> {
          seen.merge(r.key(), 1, Integer::sum);
          assertEquals(ByteBuffer.wrap(expected.get(r.key())), r.value().getImage(), r.key());
        }, Duration.ofMinutes(1));
    assertEquals(expected.keySet(), seen.keySet(), "no gaps");
    seen.forEach((k, n) -> assertEquals(1, n, "duplicates of " + k));
    assertEquals(expected.size(), report.published());

    Map<String, Integer> rejected = new HashMap<>();
    var rt = Topics.rejected(topic.name());
    BoundedReader.read(kafka, rt.name(), null, new StringDeserializer(), new ByteArrayDeserializer(),
        r -> rejected.merge(r.key(), 1, Integer::sum), Duration.ofMinutes(1));
    assertEquals(gaps, rejected.size());
    rejected.forEach((k, n) -> assertEquals(1, n, "duplicate reject of " + k));

    // A third run finds the split complete and sends nothing.
    assertEquals(0, publisher.publish(source, "train", topic).sentNow());
  }

  private static long records(KafkaSettings kafka, String topic) {
    try (var c = new KafkaConsumer<>(kafka.consumer(null, "probe"), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      var parts = c.partitionsFor(topic, Duration.ofSeconds(10));
      if (parts == null || parts.isEmpty()) {
        return 0;
      }
      return c.endOffsets(parts.stream().map(x -> new TopicPartition(topic, x.partition())).toList()).values().stream()
          .mapToLong(Long::longValue).sum();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
