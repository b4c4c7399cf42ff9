package io.mnpipe.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.RawImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broker fixture on the real thing: Avro records of several MB survive a broker restart. */
@ExtendWith(KafkaBroker.class)
class EmbeddedKafkaIT {

  @Test
  void largeAvroRecordsRoundTripAcrossRestart(KafkaBroker.Handle broker) throws Exception {
    KafkaSettings kafka = broker.settings();
    Topic<String, RawImage> topic = Topics.raw("roundtrip", "v1", "train");
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(topic.name(), 3)), Duration.ofSeconds(30));
    }
    byte[] big = new byte[9 * 1024 * 1024];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    try (var producer = new KafkaProducer<>(kafka.producer("it"), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (int i = 0; i < 3; i++) {
        RawImage r = RawImage.newBuilder().setDataset("roundtrip").setSplit("train").setKey("k" + i)
            .setLabel(i).setClassId("c" + i).setImage(ByteBuffer.wrap(big)).setSource("mem").build();
        producer.send(new ProducerRecord<>(topic.name(), r.getKey(), r)).get();
      }
    }
    broker.restart();
    List<ConsumerRecord<String, RawImage>> got = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(kafka.consumer("it-" + System.nanoTime(), "it"),
        topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      long deadline = System.currentTimeMillis() + 60_000;
      while (got.size() < 3 && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(got::add);
      }
    }
    assertEquals(3, got.size());
    for (var rec : got) {
      RawImage r = rec.value();
      assertEquals(rec.key(), r.getKey());
      assertEquals(ByteBuffer.wrap(big), r.getImage());
      assertEquals(Integer.parseInt(r.getKey().substring(1)), r.getLabel());
    }
  }
}
