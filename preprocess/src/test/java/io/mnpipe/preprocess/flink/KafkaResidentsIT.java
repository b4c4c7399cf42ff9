package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.avro.RawImage;
import io.mnpipe.schemas.serde.AvroDeserializer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shuffle buffer of a Kafka-fed job checkpoints references, not images, and a restored buffer
 * reads the very same records back from the raw topic and goes on as if never interrupted.
 */
@ExtendWith(KafkaBroker.class)
class KafkaResidentsIT {

  private static List<EpochImage> rawImages(KafkaSettings kafka, String topic) {
    List<EpochImage> out = new ArrayList<>();
    AvroDeserializer<RawImage> avro = new AvroDeserializer<>(RawImage.class);
    BoundedReader.read(kafka, topic, null, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        (ConsumerRecord<byte[], byte[]> r) -> out.add(EpochDeserializer.read(2, r, avro)), Duration.ofMinutes(1));
    return out;
  }

  private static ShuffleBuffer<EpochImage> buffer(KafkaSettings kafka, String topic) {
    return new ShuffleBuffer<>(16, Long.MAX_VALUE, EpochImage::sizeBytes, 9, new KafkaResidents(kafka, topic),
        img -> img.epoch);
  }

  @Test
  void aRestoredBufferReadsItsImagesBackFromTheTopic(KafkaSettings kafka) throws Exception {
    var synthetic = new SyntheticDataset(new SyntheticDataset.Config(2, 30, 1, 1, 3));
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config("residents", 3, 1 << 20,
        Duration.ofSeconds(5)));
    String topic = publisher.publish(synthetic, "train", publisher.defaultTopic(synthetic, "train")).topic();
    List<EpochImage> input = rawImages(kafka, topic);
    assertEquals(61, input.size());
    TypeInformation<EpochImage> type = TypeInformation.of(EpochImage.class);

    List<String> uninterrupted = new ArrayList<>();
    try (var h = new OneInputStreamOperatorTestHarness<>(buffer(kafka, topic), type.createSerializer(
        new org.apache.flink.api.common.serialization.SerializerConfigImpl()))) {
      h.open();
      for (EpochImage e : input) {
        h.processElement(e, 0);
      }
      h.endInput();
      h.extractOutputValues().forEach(e -> uninterrupted.add(e.key));
    }

    OperatorSubtaskState snapshot;
    List<String> out = new ArrayList<>();
    try (var h = new OneInputStreamOperatorTestHarness<>(buffer(kafka, topic), type.createSerializer(
        new org.apache.flink.api.common.serialization.SerializerConfigImpl()))) {
      h.open();
      for (EpochImage e : input.subList(0, 40)) {
        h.processElement(e, 0);
      }
      snapshot = h.snapshot(1, 1L);
      h.extractOutputValues().forEach(e -> out.add(e.key));
    }
    long stateBytes = snapshot.getManagedOperatorState().stream().mapToLong(s -> s.getStateSize()).sum();
    assertTrue(stateBytes < 2_000, "16 buffered images checkpoint as references: " + stateBytes + " bytes");

    try (var h = new OneInputStreamOperatorTestHarness<>(buffer(kafka, topic), type.createSerializer(
        new org.apache.flink.api.common.serialization.SerializerConfigImpl()))) {
      h.initializeState(snapshot);
      h.open();
      for (EpochImage e : input.subList(40, input.size())) {
        h.processElement(e, 0);
      }
      h.endInput();
      List<EpochImage> rest = h.extractOutputValues();
      rest.forEach(e -> out.add(e.key));
      for (EpochImage e : rest) {
        EpochImage original = input.stream().filter(i -> i.key.equals(e.key)).findFirst().orElseThrow();
        assertEquals(original.epoch, e.epoch, "epoch of " + e.key);
        assertEquals(original.image.getLabel(), e.image.getLabel());
        assertArrayEquals(bytes(original.image.getImage()), bytes(e.image.getImage()), "bytes of " + e.key);
      }
    }
    assertEquals(uninterrupted, out, "the same order as without the restore");
  }

  @Test
  void aRecordWithoutAKafkaPositionCannotBeReferenced(KafkaSettings kafka) {
    EpochImage e = EpochImage.unreadable(1, "k", new byte[3], "test");
    var residents = new KafkaResidents(kafka, "any");
    IllegalStateException ex = assertThrows(IllegalStateException.class, () -> residents.toState(e));
    assertTrue(ex.getMessage().contains("no Kafka position"), ex.getMessage());
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }
}
