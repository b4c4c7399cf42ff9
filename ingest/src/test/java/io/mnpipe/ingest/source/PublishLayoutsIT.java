package io.mnpipe.ingest.source;

import static io.mnpipe.ingest.source.SourceFixtures.drain;
import static io.mnpipe.ingest.source.SourceFixtures.jpeg;
import static io.mnpipe.ingest.source.SourceFixtures.png;
import static io.mnpipe.ingest.source.SourceFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.publish.PublishReport;
import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.RawImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every layout users bring, published to a real broker and read back: keys, labels and bytes
 * equal the source's, and every refused input is on the rejected topic with its reason.
 */
@ExtendWith(KafkaBroker.class)
class PublishLayoutsIT {
  static final String TENCH = ImageNetFolderTest.TENCH;
  static final String GOLDFISH = ImageNetFolderTest.GOLDFISH;
  static final String COLLIE = ImageNetFolderTest.COLLIE;

  @TempDir
  Path root;

  @Test
  void imageNetTrainAndFlatValWithTheirDirt(KafkaSettings kafka) throws Exception {
    write(root.resolve("train/" + TENCH + "/" + TENCH + "_1.JPEG"), ImageNetFolderTest.cmykJpeg());
    write(root.resolve("train/" + TENCH + "/" + TENCH + "_2.JPEG"), jpeg(1));
    write(root.resolve("train/" + GOLDFISH + "/" + GOLDFISH + "_1.JPEG"), jpeg(2));
    write(root.resolve("train/" + GOLDFISH + "/" + GOLDFISH + "_2.JPEG"), new byte[0]);
    write(root.resolve("train/" + GOLDFISH + "/" + GOLDFISH + "_3.JPEG"), "a text file, not an image");
    write(root.resolve("train/" + COLLIE + "/" + COLLIE + "_2933.JPEG"), png(3));
    write(root.resolve("train/" + COLLIE + "/" + COLLIE + "_4.JPEG"), jpeg(4));
    write(root.resolve("val/ILSVRC2012_val_00000001.JPEG"), jpeg(5));
    write(root.resolve("val/ILSVRC2012_val_00000002.JPEG"), jpeg(6));
    write(root.resolve("val/ILSVRC2012_val_00000003.JPEG"), jpeg(7));
    write(root.resolve("val/LOC_val_solution.csv"), "ImageId,PredictionString\n"
        + "ILSVRC2012_val_00000001," + COLLIE + " 1 2 3 4\n"
        + "ILSVRC2012_val_00000002,n09999999 1 2 3 4\n");
    var source = new ImageNetFolder("imagenet-it", root);

    Map<String, String> trainRejects = publishAndCompare(kafka, source, "train");
    assertEquals(2, trainRejects.size(), trainRejects.toString());
    assertTrue(trainRejects.get(GOLDFISH + "_2").startsWith("empty file (0 bytes)"), trainRejects.toString());
    assertTrue(trainRejects.get(GOLDFISH + "_3").startsWith("not an image"), trainRejects.toString());
    Map<String, String> valRejects = publishAndCompare(kafka, source, "val");
    assertTrue(valRejects.get("ILSVRC2012_val_00000002").contains("unknown wnid n09999999"), valRejects.toString());
    assertTrue(valRejects.get("ILSVRC2012_val_00000003").contains("no label"), valRejects.toString());
    assertEquals(2, valRejects.size());
  }

  @Test
  void webDatasetShardsStreamedFromTar(KafkaSettings kafka) throws Exception {
    WebDatasetShardsTest.tar(root.resolve("shard-000000.tar"), false, "a.jpg", jpeg(1), "a.cls", "0",
        "b.jpeg", jpeg(2), "b.cls", "2", "c.jpg", jpeg(3));
    WebDatasetShardsTest.tar(root.resolve("shard-000001.tar"), false, "d.JPEG", jpeg(4), "d.cls", " 1\n",
        "e.png", png(5), "e.cls", "1");
    var source = new WebDatasetShards("wds-it", root.resolve("shard-{000000..000001}.tar").toString(),
        List.of("cat", "dog", "fox"));
    Map<String, String> rejects = publishAndCompare(kafka, source, "train");
    assertEquals(1, rejects.size(), rejects.toString());
    assertTrue(rejects.get("shard-000000/c").contains(".cls"), rejects.toString());
  }

  @Test
  void realFashionMnistFromDebian(KafkaSettings kafka) throws Exception {
    assumeTrue(Files.isDirectory(FashionMnistIdxTest.DEBIAN), "apt-get install dataset-fashion-mnist");
    var source = new FashionMnistIdx("fashion-mnist-it", FashionMnistIdxTest.DEBIAN);
    assertEquals(Map.of(), publishAndCompare(kafka, source, "val"));
  }

  /**
   * Publishes a split and checks the topic holds exactly the source's good samples, byte for
   * byte, and the rejected topic exactly the rest; returns the rejects' reasons by key.
   */
  private static Map<String, String> publishAndCompare(KafkaSettings kafka, DatasetSource source, String split) {
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config("it", 3, 1 << 20, Duration.ofSeconds(5)));
    Topic<String, RawImage> topic = publisher.defaultTopic(source, split);
    PublishReport report = publisher.publish(source, split, topic);

    Map<String, Sample> expected = new HashMap<>();
    for (Sample s : drain(source.samples(split))) {
      expected.put(s.key(), s);
    }
    Map<String, RawImage> got = new HashMap<>();
    BoundedReader.read(kafka, topic.name(), null, topic.keySerde().deserializer(), topic.valueSerde().deserializer(),
        r -> assertEquals(null, got.put(r.key(), r.value()), "duplicate " + r.key()), Duration.ofMinutes(2));
    Map<String, String> rejects = new HashMap<>();
    Topic<String, DeadLetter> rejected = Topics.rejected(topic.name());
    BoundedReader.read(kafka, rejected.name(), null, rejected.keySerde().deserializer(),
        rejected.valueSerde().deserializer(), r -> rejects.put(r.key(), r.value().getReason()), Duration.ofMinutes(1));

    assertEquals(expected.size(), got.size() + rejects.size(), "every input is published or rejected");
    assertEquals(got.size(), report.published());
    assertEquals(rejects.size(), report.rejected().size());
    long[] counts = new long[source.classNames().size()];
    for (var e : got.entrySet()) {
      Sample s = expected.get(e.getKey());
      assertEquals(s.label(), e.getValue().getLabel(), e.getKey());
      assertEquals(s.classId(), e.getValue().getClassId(), e.getKey());
      assertEquals(s.source(), e.getValue().getSource(), e.getKey());
      byte[] bytes = new byte[e.getValue().getImage().remaining()];
      e.getValue().getImage().duplicate().get(bytes);
      assertArrayEquals(s.image(), bytes, e.getKey());
      counts[s.label()]++;
    }
    assertArrayEquals(counts, report.countsPerClass());
    for (String key : rejects.keySet()) {
      assertTrue(expected.containsKey(key), "rejected key " + key + " comes from the source");
    }
    return rejects;
  }
}
