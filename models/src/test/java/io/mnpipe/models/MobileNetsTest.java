package io.mnpipe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every registered model: logits of the right shape at a small input, exact parameter counts at 1000 classes. */
class MobileNetsTest {
  /**
   * MISSION.md's table (torchvision / TF-slim definitions, 1000 classes). The V3 075 counts are
   * torchvision's mobilenet_v3_*(_width_mult=0.75) recounted by hand from its config (every width,
   * the 1280/1024 head included, through _make_divisible(c * 0.75, 8)); torchvision publishes no 075.
   */
  private static final Map<String, Long> PARAMS_AT_1000 = Map.ofEntries(
      Map.entry("mobilenet_v1_025", 470_072L),
      Map.entry("mobilenet_v1_050", 1_331_592L),
      Map.entry("mobilenet_v1_075", 2_585_560L),
      Map.entry("mobilenet_v1_100", 4_231_976L),
      Map.entry("mobilenet_v2_075", 2_636_424L),
      Map.entry("mobilenet_v2_100", 3_504_872L),
      Map.entry("mobilenet_v2_140", 6_108_776L),
      Map.entry("mobilenet_v3_large_075", 3_377_576L),
      Map.entry("mobilenet_v3_large_100", 5_483_032L),
      Map.entry("mobilenet_v3_small_075", 1_653_920L),
      Map.entry("mobilenet_v3_small_100", 2_542_856L));

  static List<String> names() {
    return MobileNets.names();
  }

  @ParameterizedTest
  @MethodSource("names")
  void forwardGivesOneLogitPerClass(String name) {
    try (NDManager m = NDManager.newBaseManager()) {
      Block block = MobileNets.create(name, 7);
      block.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
      NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
      NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
      assertEquals(new Shape(2, 7), y.getShape());
      assertFalse(y.isNaN().any().getBoolean(), name + " produced NaN");
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void parameterCountMatchesReferenceAt1000Classes(String name) {
    try (NDManager m = NDManager.newBaseManager()) {
      Block block = MobileNets.create(name, 1000);
      block.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
      long count = MobileNets.countParameters(block);
      System.out.printf("%s params at 1000 classes: %,d%n", name, count);
      Long expected = PARAMS_AT_1000.get(name);
      if (expected != null) {
        assertEquals(expected, count, name);
      } else {
        assertTrue(count > 100_000, name);
      }
    }
  }

  @Test
  void everyTableEntryIsRegistered() {
    assertTrue(MobileNets.names().containsAll(PARAMS_AT_1000.keySet()));
  }

  @Test
  void unknownNameListsKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> MobileNets.create("mobilenet_v9_100", 10));
    assertTrue(e.getMessage().contains("unknown model 'mobilenet_v9_100'"), e.getMessage());
    assertTrue(e.getMessage().contains("mobilenet_v2_100"), e.getMessage());
  }

  @Test
  void makeDivisibleMatchesTorchvision() {
    assertEquals(16, Layers.makeDivisible(32 * 0.35, 8));
    assertEquals(8, Layers.makeDivisible(16 * 0.35, 8));
    assertEquals(1792, Layers.makeDivisible(1280 * 1.4, 8));
    assertEquals(24, Layers.makeDivisible(24 * 0.75, 8));
  }
}
