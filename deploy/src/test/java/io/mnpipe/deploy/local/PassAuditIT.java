package io.mnpipe.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit of a pass, over real topics: exact when every key is in every epoch once, else the keys named. */
@ExtendWith(KafkaBroker.class)
class PassAuditIT {
  private record Pass(String raw, Topic<String, AugmentedSample> samples, Topic<String, DeadLetter> dlq) {}

  private static Pass topics(KafkaSettings kafka, String name) throws Exception {
    Pass p = new Pass("raw." + name, Topics.samples("audit", name, "train"), Topics.deadLetters("raw." + name));
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(p.raw(), 2), TopicAdmin.spec(p.samples().name(), 2),
          TopicAdmin.spec(p.dlq().name(), 1)), Duration.ofSeconds(30));
    }
    try (var raw = new KafkaProducer<>(kafka.producer("audit-raw"), new StringSerializer(), new ByteArraySerializer())) {
      for (String k : List.of("a", "b", "c", "broken")) {
        raw.send(new ProducerRecord<>(p.raw(), k, new byte[8])).get();
      }
    }
    return p;
  }

  private static void write(KafkaSettings kafka, Pass p, Map<String, Integer> samples, List<String> dead)
      throws Exception {
    try (var s = new KafkaProducer<>(kafka.producer("audit-samples"), p.samples().keySerde().serializer(),
        p.samples().valueSerde().serializer());
        var d = new KafkaProducer<>(kafka.producer("audit-dlq"), p.dlq().keySerde().serializer(),
            p.dlq().valueSerde().serializer())) {
      for (var e : samples.entrySet()) {
        String key = e.getKey().substring(e.getKey().indexOf('/') + 1);
        s.send(new ProducerRecord<>(p.samples().name(), key, AugmentedSample.newBuilder().setKey(key).setLabel(0)
            .setEpoch(e.getValue()).setHeight(1).setWidth(1).setChannels(3).setPixels(ByteBuffer.wrap(new byte[3]))
            .build())).get();
      }
      for (String k : dead) {
        d.send(new ProducerRecord<>(p.dlq().name(), k, DeadLetter.newBuilder().setKey(k).setStage("preprocess")
            .setReason("truncated").setSource("test").setPayload(ByteBuffer.wrap(new byte[1])).setTime(Instant.now())
            .build())).get();
      }
    }
  }

  @Test
  void everyKeyOncePerEpochIsExact(KafkaSettings kafka) throws Exception {
    Pass p = topics(kafka, "exact");
    write(kafka, p, Map.of("1/a", 1, "1/b", 1, "1/c", 1, "2/a", 2, "2/b", 2, "2/c", 2), List.of("broken", "broken"));
    PassAudit a = PassAudit.of(kafka, p.raw(), p.samples(), p.dlq(), 2);
    assertTrue(a.exact(), a.mismatch("exact"));
    assertEquals(4, a.ingested());
    assertEquals(Map.of(1, 3L, 2, 3L), a.samplesPerEpoch());
    assertEquals(3, a.decodedPerEpoch());
    assertEquals(1, a.deadLetteredPerEpoch());
  }

  @Test
  void aMissingSampleAndAMissingDeadLetterAreNamed(KafkaSettings kafka) throws Exception {
    Pass p = topics(kafka, "missing");
    // Epoch 2 lost "c"; "broken" was dead-lettered in epoch 1 only.
    write(kafka, p, Map.of("1/a", 1, "1/b", 1, "1/c", 1, "2/a", 2, "2/b", 2), List.of("broken"));
    PassAudit a = PassAudit.of(kafka, p.raw(), p.samples(), p.dlq(), 2);
    assertFalse(a.exact());
    assertEquals(List.of("2/c", "dlq/broken"), a.missing());
    assertTrue(a.mismatch("pass").contains("2/c"), a.mismatch("pass"));
  }
}
