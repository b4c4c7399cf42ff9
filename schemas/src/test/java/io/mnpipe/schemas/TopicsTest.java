package io.mnpipe.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void namesComeFromDatasetVersionAndSplit() {
    assertEquals("mnpipe.images.imagenet-1k.v1.train", Topics.raw("ImageNet-1k", "v1", "train").name());
    assertEquals("mnpipe.samples.fashion-mnist.2017.val", Topics.samples("fashion mnist", "2017", "val").name());
    assertEquals("mnpipe.images.x.v1.train.dlq", Topics.deadLetters(Topics.raw("x", "v1", "train").name()).name());
  }

  @Test
  void illegalNamesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Topics.raw("x", "v1", "train").named("bad/name"));
  }
}
