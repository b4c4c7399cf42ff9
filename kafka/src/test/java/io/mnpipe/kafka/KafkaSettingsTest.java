package io.mnpipe.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  @Test
  void bootstrapListsAreCheckedAtTheEdge() {
    assertThrows(IllegalArgumentException.class, () -> new KafkaSettings("localhost"));
    assertThrows(IllegalArgumentException.class, () -> new KafkaSettings("host:port"));
    assertEquals("a:1,b:2", new KafkaSettings("a:1,b:2").bootstrap());
  }
}
