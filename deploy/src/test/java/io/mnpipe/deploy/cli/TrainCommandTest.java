package io.mnpipe.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.recipe.Recipes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Recipe, then flags, then the dataset manifest make the effective config; user errors are one line, no broker needed. */
class TrainCommandTest {
  private static final String TOPIC = "mnpipe.samples.imagenet.v1.train";

  private static TrainCommand parse(String... args) {
    TrainCommand cmd = new TrainCommand();
    List<String> all = new java.util.ArrayList<>(List.of("--input-topic", TOPIC, "--bootstrap", "127.0.0.1:1",
        "--checkpoint-dir", "target/ckpt"));
    all.addAll(List.of(args));
    new CommandLine(cmd).parseArgs(all.toArray(String[]::new));
    return cmd;
  }

  private static TrainerConfig config(TrainCommand cmd, Integer classes, Long perEpoch) {
    return cmd.config(cmd.recipe == null ? null : Recipes.load(cmd.recipe),
        cmd.model != null ? cmd.model : Recipes.load(cmd.recipe).model(), classes, perEpoch);
  }

  @Test
  void recipeScalesItsLrToTheBatchAndTheManifestGivesClassesAndEpochSize() {
    TrainerConfig c = config(parse("--recipe", "mobilenet_v2_100", "--batch-size", "64"), 1000, 1_281_167L);
    assertEquals("mobilenet_v2_100", c.model());
    assertEquals(64, c.batchSize());
    assertEquals(0.4 * 64 / (8 * 256), c.lr(), 1e-12);
    assertEquals(4e-5, c.weightDecay());
    assertEquals(300, c.epochs());
    assertEquals(4, c.warmupEpochs());
    assertEquals(0.1, c.labelSmoothing());
    assertEquals(1000, c.numClasses());
    assertEquals(1_281_167L, c.samplesPerEpoch());
    assertEquals("mobilenet_v2_100-" + TOPIC, c.runId(), "the same command finds its run again");
    assertEquals("mobilenet_v2_100", c.recipe());
  }

  @Test
  void torchvisionFlagsWinOverTheRecipe() {
    TrainerConfig c = config(parse("--recipe", "mobilenet_v3_small_100", "--lr", "0.1", "--wd", "1e-4", "--epochs",
        "3", "--momentum", "0.8", "--label-smoothing", "0", "--lr-warmup-epochs", "0", "--image-size", "64",
        "--num-classes", "10", "--run-id", "r1", "--val-topic", "v"), 4, null);
    assertEquals(0.1, c.lr());
    assertEquals(1e-4, c.weightDecay());
    assertEquals(3, c.epochs());
    assertEquals(0.8, c.momentum());
    assertEquals(0, c.labelSmoothing());
    assertEquals(0, c.effectiveWarmupSteps());
    assertEquals(64, c.imageSize());
    assertEquals(10, c.numClasses(), "--num-classes wins over the manifest");
    assertEquals("r1", c.runId());
    assertEquals("v", c.asMap().get("valTopic"));
  }

  @Test
  void missingFactsAreAskedForByFlag() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> config(parse("--model", "mobilenet_v1_025"), null, null));
    assertTrue(e.getMessage().contains("give --num-classes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> config(parse("--recipe", "mobilenet_v1_025", "--num-classes", "10"), null, null));
    assertTrue(e.getMessage().contains("give --samples-per-epoch"), e.getMessage());
  }

  @Test
  void unknownRecipeOrModelFailsBeforeConnecting() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new PipelineCli()).setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler((ex, c, parsed) -> {
      c.getErr().println("error: " + PipelineCli.userMessage(ex));
      return 1;
    });
    assertEquals(1, cli.execute("train", "--recipe", "resnet50", "--input-topic", TOPIC, "--bootstrap", "127.0.0.1:1",
        "--checkpoint-dir", "x"));
    assertTrue(err.toString().startsWith("error: unknown recipe 'resnet50'; known: mobilenet_v1_025, "), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(1, cli.execute("train", "--model", "resnet50", "--input-topic", TOPIC, "--bootstrap", "127.0.0.1:1",
        "--checkpoint-dir", "x"));
    assertTrue(err.toString().startsWith("error: unknown model 'resnet50'; known: mobilenet_v1_025"), err.toString());
  }

  @Test
  void helpListsTheFlags() {
    String help = new CommandLine(new TrainCommand()).getUsageMessage();
    for (String flag : List.of("--model", "--recipe", "--input-topic", "--bootstrap", "--client-config",
        "--checkpoint-dir", "--val-topic", "--num-classes", "--image-size", "--max-steps", "--max-minutes",
        "--checkpoint-every", "--run-id", "--fresh", "--follow", "--until-end", "--metrics-port", "--lr", "--wd",
        "--momentum", "--label-smoothing", "--lr-warmup-epochs", "--batch-size", "--epochs")) {
      assertTrue(help.contains(flag), flag + " missing from help");
    }
  }
}
