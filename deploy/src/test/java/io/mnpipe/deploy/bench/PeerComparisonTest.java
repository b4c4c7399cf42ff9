package io.mnpipe.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerComparisonTest {
  @Test
  void casesParseFromTheirSpecs() {
    assertEquals(new PeerComparison.Case(PeerComparison.Kind.TRAIN, "mobilenet_v2_100", 224, 32),
        PeerComparison.Case.parse("train:mobilenet_v2_100:224:32"));
    assertEquals(new PeerComparison.Case(PeerComparison.Kind.EVAL, "mobilenet_v3_large_100", 64, 8),
        PeerComparison.Case.parse(" EVAL:mobilenet_v3_large_100:64:8"));
    assertEquals(new PeerComparison.Case(PeerComparison.Kind.DATA, "", 224, 64), PeerComparison.Case.parse("data:224:64"));
    assertEquals("train mobilenet_v2_100 224 b32", PeerComparison.Case.parse("train:mobilenet_v2_100:224:32").name());
  }

  @Test
  void badSpecsAreRefusedSayingWhy() {
    for (String bad : new String[] {"train:mobilenet_v2_100:224", "data:224", "fit:mobilenet_v2_100:224:32",
        "train:mobilenet_v2_100:big:32", "data:224:64:1"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> PeerComparison.Case.parse(bad), bad);
      assertTrue(e.getMessage().contains("is not train:MODEL:SIZE:BATCH"), e.getMessage());
    }
    // torchvision has no V1: there is nothing to compare it with.
    var e = assertThrows(IllegalArgumentException.class, () -> PeerComparison.Case.parse("train:mobilenet_v1_100:224:32"));
    assertTrue(e.getMessage().contains("torchvision has no mobilenet_v1_100"), e.getMessage());
  }
}
