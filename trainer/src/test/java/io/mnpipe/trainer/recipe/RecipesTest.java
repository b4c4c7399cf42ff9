package io.mnpipe.trainer.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.models.MobileNets;
import io.mnpipe.trainer.TrainerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped recipes hold MindCV's numbers; the LR scales with the global batch; bad files fail by line. */
class RecipesTest {
  @Test
  void shippedRecipesMatchMindCv() {
    for (String name : Recipes.NAMES) {
      Recipe r = Recipes.load(name);
      assertEquals(name.replaceFirst("_quant$", ""), r.model(), "each recipe is named after its model");
      assertTrue(MobileNets.exists(r.model()), r.model());
      assertEquals(8, r.numDevices());
      assertEquals(0.9, r.momentum());
      assertEquals(0.1, r.labelSmoothing());
      assertFalse(r.nesterov());
      assertEquals(224, r.imageSize());
    }
    assertRecipe("mobilenet_v1_025", 200, 64, 0.4, 2, 3e-5, 0);
    assertRecipe("mobilenet_v2_100", 300, 256, 0.4, 4, 4e-5, 0);
    assertRecipe("mobilenet_v3_large_100", 420, 75, 1.08, 4, 2e-5, 0);
    assertRecipe("mobilenet_v3_small_100", 470, 75, 0.77, 4, 2e-5, 0.4);
    // MindSpore's mobilenetv2_quant: 60 epochs of batch 192, the LR its float cosine has at epoch 200 of 260.
    assertRecipe("mobilenet_v2_100_quant", 60, 192, 0.0377, 1, 4e-5, 0);
    Recipe quant = Recipes.load("mobilenet_v2_100_quant");
    assertTrue(quant.quantizationAware() && quant.freezeBnEpoch() == 49);
    assertFalse(Recipes.load("mobilenet_v2_100").quantizationAware());
  }

  private static void assertRecipe(String name, int epochs, int batch, double lr, double warmup, double wd,
      double jitter) {
    Recipe r = Recipes.load(name);
    assertEquals(epochs, r.epochs(), name);
    assertEquals(batch, r.batchSize(), name);
    assertEquals(lr, r.lr(), name);
    assertEquals(warmup, r.warmupEpochs(), name);
    assertEquals(wd, r.weightDecay(), name);
    assertEquals(jitter, r.colorJitter(), name);
  }

  @Test
  void lrScalesLinearlyWithTheGlobalBatch() {
    Recipe v2 = Recipes.load("mobilenet_v2_100");
    assertEquals(0.4, v2.lrFor(8 * 256), 1e-12);
    assertEquals(0.05, v2.lrFor(256), 1e-12); // one device at the recipe's per-device batch
    TrainerConfig c = v2.configure(TrainerConfig.builder("mobilenet_v2_100", 10, Path.of("x")), 64)
        .samplesPerEpoch(1000).runId("r").build();
    assertEquals(0.0125, c.lr(), 1e-12);
    assertEquals(64, c.batchSize());
    assertEquals(300, c.epochs());
    assertEquals(4e-5, c.weightDecay());
    assertEquals(4, c.warmupEpochs());
    assertEquals("mobilenet_v2_100", c.recipe());
  }

  @Test
  void unknownNamesAndUnsupportedFilesFailClearly() {
    var e = assertThrows(IllegalArgumentException.class, () -> Recipes.load("resnet50"));
    assertTrue(e.getMessage().contains("unknown recipe 'resnet50'; known: mobilenet_v1_025"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Recipes.parse("x", "model: a\nscale: [0.08, 1.0]\n", "x"));
    assertTrue(e.getMessage().contains("x line 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Recipes.parse("x", "model: a\n  lr: 1\n", "x"));
    assertTrue(e.getMessage().contains("only flat 'key: value'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Recipes.parse("x", "model: a\nbatch_size: 8\nepoch_size: 1\nlr: 0.1\nweight_decay: 0\nopt: 'adamw'\n",
            "x"));
    assertTrue(e.getMessage().contains("opt 'adamw' is not supported"), e.getMessage());
  }
}
