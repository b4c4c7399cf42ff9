package io.mnpipe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MACs counted from the built blocks against the papers' / MISSION.md's figures at 224x224. */
class MacCounterTest {
  /** Millions of MACs at 224 (MISSION.md); v1_075 is quoted as 317-325 M, the midpoint is used. */
  private static final Map<String, Double> MILLIONS_AT_224 = Map.of(
      "mobilenet_v1_025", 41.0, "mobilenet_v1_050", 150.0, "mobilenet_v1_075", 321.0,
      "mobilenet_v1_100", 569.0, "mobilenet_v2_075", 209.0, "mobilenet_v2_100", 301.0,
      "mobilenet_v2_140", 582.0, "mobilenet_v3_large_100", 217.0, "mobilenet_v3_small_100", 57.0);

  static Stream<Arguments> references() {
    return MILLIONS_AT_224.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest
  @MethodSource("references")
  void macsAt224MatchThePapersWithin3Percent(String name, double millions) {
    long macs = MobileNets.macs(name, 224);
    System.out.printf("%s MACs at 224: %,d%n", name, macs);
    assertEquals(millions, macs / 1e6, millions * 0.03, name);
  }

  @Test
  void convAndLinearAreCountedFromTheirShapes() {
    // 3x3 conv 3->8 stride 2 on 8x8 (out 4x4): 9*3*8*16; depthwise 3x3 on 8 ch: 9*8*16; linear 8->5.
    SequentialBlock b = new SequentialBlock()
        .add(Layers.convBn(8, 3, 2, 1, Layers.Act.HARD_SWISH, false))
        .add(Layers.convBn(8, 3, 1, 8, Layers.Act.RELU, false))
        .add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(Layers.classifier(5));
    assertEquals(9 * 3 * 8 * 16 + 9 * 8 * 16 + 8 * 5, MacCounter.count(b, new Shape(1, 3, 8, 8)));
  }

  @Test
  void costCarriesParamsAndMacs() {
    ModelCost c = MobileNets.cost("mobilenet_v3_small_100", 10, 96);
    assertEquals(10, c.numClasses());
    assertTrue(c.params() < 2_542_856L && c.params() > 1_000_000L, "params " + c.params());
    // MACs scale with the pixel count except for the head's linears: roughly (96/224)^2 of 57 M.
    assertEquals(57e6 * 96 * 96 / (224 * 224), c.macs(), 2e6);
  }
}
