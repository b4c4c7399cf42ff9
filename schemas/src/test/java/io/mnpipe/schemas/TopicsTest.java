package io.mnpipe.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mnpipe.schemas.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void namesComeFromDatasetVersionAndSplit() {
    assertEquals("mnpipe.images.imagenet-1k.v1.train", Topics.raw("ImageNet-1k", "v1", "train").name());
    assertEquals("mnpipe.samples.fashion-mnist.2017.val", Topics.samples("fashion mnist", "2017", "val").name());
    assertEquals("mnpipe.images.x.v1.train.dlq", Topics.deadLetters(Topics.raw("x", "v1", "train").name()).name());
  }

  @Test
  void illegalNamesAndBootstrapsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Topics.raw("x", "v1", "train").named("bad/name"));
    assertThrows(IllegalArgumentException.class, () -> new KafkaSettings("localhost"));
    assertThrows(IllegalArgumentException.class, () -> new KafkaSettings("host:port"));
    assertEquals("a:1,b:2", new KafkaSettings("a:1,b:2").bootstrap());
  }
}
