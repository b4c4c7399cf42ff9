package io.mnpipe.ingest.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.RawImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBroker.class)
class DatasetPublisherIT {

  /** The synthetic set plus one zero-byte file, which must be refused with its reason. */
  private static final class WithEmptyFile implements DatasetSource {
    final SyntheticDataset inner = new SyntheticDataset(new SyntheticDataset.Config(3, 5, 2, 0, 9));

    public String name() {
      return "withempty";
    }

    public String description() {
      return "test";
    }

    public List<String> classNames() {
      return inner.classNames();
    }

    public Iterator<Sample> samples(String split) {
      List<Sample> all = new ArrayList<>();
      inner.samples(split).forEachRemaining(all::add);
      all.add(new Sample("empty_one", 1, classNames().get(1), new byte[0], "dir/empty.JPEG"));
      return all.iterator();
    }
  }

  @Test
  void everyRecordReadsBackAsPublishedAndRejectsAreKeptWithReasons(KafkaSettings kafka) {
    var source = new WithEmptyFile();
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config("v7", 3, 1 << 20, Duration.ofSeconds(1)));
    Topic<String, RawImage> topic = publisher.defaultTopic(source, "train");
    PublishReport report = publisher.publish(source, "train", topic);

    assertEquals(15, report.published());
    assertArrayEquals(new long[] {5, 5, 5}, report.countsPerClass());
    assertEquals(List.of("empty_one (dir/empty.JPEG): empty file (0 bytes)"), report.rejected());

    Map<String, Sample> expected = new HashMap<>();
    source.inner.samples("train").forEachRemaining(s -> expected.put(s.key(), s));
    List<RawImage> got = readAll(kafka, topic);
    assertEquals(15, got.size());
    for (RawImage r : got) {
      Sample s = expected.remove(r.getKey());
      assertEquals(s.label(), r.getLabel(), r.getKey());
      assertEquals(s.classId(), r.getClassId());
      assertEquals(java.nio.ByteBuffer.wrap(s.image()), r.getImage());
      assertEquals("withempty", r.getDataset());
    }
    assertTrue(expected.isEmpty(), "missing: " + expected.keySet());

    List<DeadLetter> rejected = readAll(kafka, Topics.rejected(topic.name()));
    assertEquals(1, rejected.size());
    assertEquals("empty file (0 bytes)", rejected.get(0).getReason());
    assertEquals("dir/empty.JPEG", rejected.get(0).getSource());

    DatasetManifest m = readAll(kafka, Topics.datasets()).stream()
        .filter(x -> x.getName().equals("withempty")).findFirst().orElseThrow();
    assertEquals(List.of(5L, 5L, 5L), m.getCounts());
    assertEquals(15, m.getTotal());
    assertEquals(1, m.getRejected());
    assertEquals(topic.name(), m.getTopic());
  }

  @Test
  void recordsAboveTheTopicLimitAreRejectedNamingTheSettingToRaise(KafkaSettings kafka) throws Exception {
    var source = new SyntheticDataset(new SyntheticDataset.Config(2, 3, 1, 0, 4));
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config("small", 1, 1 << 20, Duration.ofSeconds(1)));
    Topic<String, RawImage> topic = publisher.defaultTopic(source, "train");
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      // A topic that accepts only small records: every ~20 KB synthetic JPEG is too large for it.
      admin.ensure(List.of(new NewTopic(topic.name(), 1, (short) 1)
          .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2000"))), Duration.ofSeconds(30));
    }
    PublishReport report = publisher.publish(source, "train", topic);
    assertEquals(0, report.published());
    assertEquals(6, report.rejected().size(), report.rejected().toString());
    for (String r : report.rejected()) {
      assertTrue(r.contains("max.message.bytes"), r);
    }
    assertEquals(6, readAll(kafka, Topics.rejected(topic.name())).size());
  }

  static <V> List<V> readAll(KafkaSettings kafka, Topic<String, V> topic) {
    List<V> out = new ArrayList<>();
    try (var c = new KafkaConsumer<>(kafka.consumer(null, "it"), topic.keySerde().deserializer(),
        topic.valueSerde().deserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 30_000;
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }
}
