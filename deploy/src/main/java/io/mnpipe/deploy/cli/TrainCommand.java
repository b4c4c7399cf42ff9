package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.local.MetricsEndpoint;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.models.MobileNets;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.trainer.TrainResult;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.TrainerService;
import io.mnpipe.trainer.recipe.Recipe;
import io.mnpipe.trainer.recipe.Recipes;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline train}: a samples topic and a recipe in, a resumable training run with checkpoints out. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Trains a MobileNet on an AugmentedSample topic, writing checkpoints and announcing",
        "each on mnpipe.checkpoints for the evaluator. A service: it follows the topic until",
        "the recipe's epochs are read, --max-steps, --max-minutes or SIGTERM (which writes a",
        "final checkpoint first); --until-end stops at the end the topic has at the start.",
        "Run the same command again to resume: the run (same --checkpoint-dir and --run-id)",
        "continues from its newest checkpoint: weights, momentum, step, LR schedule and the",
        "offset of every partition. --fresh starts the run over instead.",
        "Flags named as in torchvision (--lr --wd ...) win over the recipe; without --lr the",
        "recipe's LR is scaled to the batch: lr x batch / (8 x the recipe's batch)."})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "NAME", description = "MobileNet to train (default: the recipe's model).")
  String model;

  @Option(names = "--recipe", paramLabel = "NAME|FILE",
      description = "mobilenet_v1_025 | mobilenet_v2_100 | mobilenet_v3_large_100 | mobilenet_v3_small_100, or a .yaml file.")
  String recipe;

  @Option(names = "--input-topic", required = true, paramLabel = "TOPIC", description = "AugmentedSample topic to train on.")
  String inputTopic;

  @Mixin
  KafkaOptions kafka;

  @Option(names = "--checkpoint-dir", required = true, paramLabel = "DIR",
      description = "Folder of runs; each run writes <DIR>/<run-id>/step-NNNNNNNNN/ and its effective config.")
  Path checkpointDir;

  @Option(names = "--val-topic", paramLabel = "TOPIC", description = "Validation samples topic, recorded for the evaluator.")
  String valTopic;

  @Option(names = "--num-classes", description = "Classes (default: from the dataset manifest on mnpipe.datasets).")
  Integer numClasses;

  @Option(names = "--samples-per-epoch", description = "Samples in one epoch (default: from the dataset manifest);"
      + " sets the LR schedule's length and warmup.")
  Long samplesPerEpoch;

  @Option(names = "--image-size", description = "Sample side in pixels (default: the recipe's, else 224).")
  Integer imageSize;

  @Option(names = "--batch-size", description = "Samples per step (default: the recipe's per-device batch).")
  Integer batchSize;

  @Option(names = "--epochs", description = "Epochs to train (default: the recipe's).")
  Integer epochs;

  @Option(names = "--lr", description = "Peak learning rate (default: the recipe's, scaled to the batch).")
  Double lr;

  @Option(names = "--wd", description = "Weight decay, not on BatchNorm or biases (default: the recipe's).")
  Double wd;

  @Option(names = "--momentum", description = "SGD momentum (default: the recipe's, 0.9).")
  Double momentum;

  @Option(names = "--label-smoothing", description = "Label smoothing (default: the recipe's, 0.1).")
  Double labelSmoothing;

  @Option(names = "--lr-warmup-epochs", description = "Linear warmup in epochs (default: the recipe's).")
  Double warmupEpochs;

  @Option(names = "--max-steps", defaultValue = "0", description = "Stop once the run has this many steps; 0 = no limit.")
  long maxSteps;

  @Option(names = "--max-minutes", defaultValue = "0", description = "Stop after this many minutes; 0 = no limit.")
  double maxMinutes;

  @Option(names = "--checkpoint-every", defaultValue = "500",
      description = "Checkpoint every N steps (default ${DEFAULT-VALUE}), besides each epoch end and the end.")
  int checkpointEvery;

  @Option(names = "--run-id", description = "Run name (default: <model>-<input topic>, so the same command resumes).")
  String runId;

  @Option(names = "--fresh", description = "Start the run over: its earlier checkpoints move to <run>/replaced-<time>/"
      + " (leave it out when restarting, to resume).")
  boolean fresh;

  @Option(names = "--follow", description = "Keep following the topic at its end (the default).")
  boolean follow;

  @Option(names = "--until-end", description = "Stop at the end the topic has when training starts.")
  boolean untilEnd;

  @Mixin
  MetricsOptions metricsOptions = new MetricsOptions();

  @Option(names = "--seed", defaultValue = "42", description = "Seed of weight initialisation (default 42).")
  long seed;

  @Mixin
  QatOptions quantization = new QatOptions();

  @Option(names = "--amp", description = "Mixed precision; refused: training runs in float32 (see docs/RESULTS.md).")
  boolean amp;

  @Option(names = "--trace-keys", hidden = true, description = "Append trained keys to <run>/trained-keys.log.")
  boolean traceKeys;

  @Override
  public Integer call() throws Exception {
    if (follow && untilEnd) {
      throw new IllegalArgumentException("--follow and --until-end contradict each other; give one");
    }
    Recipe r = recipe == null ? null : Recipes.load(recipe);
    String name = model != null ? model : r != null ? r.model() : null;
    if (name == null) {
      throw new IllegalArgumentException("give --model or --recipe; models: " + String.join(", ", MobileNets.names()));
    }
    MobileNets.spec(name); // unknown model: one line naming the known ones, before any connection
    KafkaSettings settings = kafka.connect();
    DatasetManifest manifest = manifest(settings);
    TrainerConfig cfg = config(r, name, manifest == null ? null : manifest.getClassNames().size(),
        manifest == null ? null : manifest.getTotal());
    try (MetricsEndpoint metrics = metricsOptions.open(9465)) {
      System.out.println(describe(cfg, r, metrics.url()));
      TrainResult res = runUntilDoneOrSignalled(new TrainerService(cfg, settings, inputTopic));
      System.out.printf(Locale.ROOT, "run %s ended (%s) at step %d: %d samples this time, loss %.4f, %.1f img/s;"
              + " checkpoints in %s%n", res.runId(), res.stopReason(), res.steps(), res.samplesTrained(), res.lastLoss(),
          res.imagesPerSecond(), cfg.runDir());
    }
    return 0;
  }

  /** SIGTERM / Ctrl-C asks the run to stop; the JVM waits for its final checkpoint before exiting. */
  private TrainResult runUntilDoneOrSignalled(TrainerService service) {
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      service.stop();
      try {
        done.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mnpipe-train-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return service.run(untilEnd);
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running
      }
    }
  }

  /** The effective config: recipe first, then the flags given, then what the dataset manifest knows. */
  TrainerConfig config(Recipe r, String name, Integer manifestClasses, Long manifestPerEpoch) {
    Integer classes = numClasses != null ? numClasses : manifestClasses;
    if (classes == null) {
      throw new IllegalArgumentException("no dataset manifest on " + Topics.DATASETS + " names topic " + inputTopic
          + "; give --num-classes");
    }
    long perEpoch = samplesPerEpoch != null ? samplesPerEpoch : manifestPerEpoch != null ? manifestPerEpoch : 0;
    int batch = batchSize != null ? batchSize : r != null ? r.batchSize() : 32;
    TrainerConfig.Builder b = TrainerConfig.builder(name, classes, checkpointDir);
    if (r != null) {
      r.configure(b, batch);
    }
    b.batchSize(batch).samplesPerEpoch(perEpoch).maxSteps(maxSteps).maxMinutes(maxMinutes)
        .checkpointEverySteps(checkpointEvery).seed(seed).valTopic(valTopic).fresh(fresh).traceKeys(traceKeys)
        .runId(runId != null ? runId : TrainerConfig.defaultRunId(name, inputTopic));
    setIf(imageSize, b::imageSize);
    setIf(epochs, b::epochs);
    setIf(lr, b::lr);
    setIf(wd, b::weightDecay);
    setIf(momentum, b::momentum);
    setIf(labelSmoothing, b::labelSmoothing);
    setIf(warmupEpochs, b::warmupEpochs);
    setIf(quantization.qat, b::qat);
    setIf(quantization.freezeBnEpoch, b::freezeBnEpoch);
    b.initCheckpoint(quantization.initCheckpoint).amp(amp);
    double warmup = warmupEpochs != null ? warmupEpochs : r != null ? r.warmupEpochs() : 0;
    if (warmup > 0 && perEpoch == 0) {
      throw new IllegalArgumentException("the warmup is " + warmup + " epochs but the epoch size is unknown (no"
          + " dataset manifest names " + inputTopic + "); give --samples-per-epoch or --lr-warmup-epochs 0");
    }
    return b.build();
  }

  private static <T> void setIf(T value, java.util.function.Consumer<T> set) {
    if (value != null) {
      set.accept(value);
    }
  }

  /** The manifest of the split whose samples topic is the input, if one was published. */
  private DatasetManifest manifest(KafkaSettings settings) {
    for (DatasetManifest m : DatasetsCommand.latest(settings)) {
      if (Topics.samples(m.getName(), m.getVersion(), m.getSplit()).name().equals(inputTopic)) {
        return m;
      }
    }
    return null;
  }

  private static String describe(TrainerConfig c, Recipe r, String metricsUrl) {
    return String.format(Locale.ROOT, "train %s%s: %d classes at %dx%d, batch %d, lr %.5g, wd %.3g, momentum %.2f%s,"
            + " label smoothing %.2f, warmup %.3g epochs, %s epochs of %s samples; run %s in %s; metrics at %s",
        c.model(), r == null ? "" : " (recipe " + r.name() + ")", c.numClasses(), c.imageSize(), c.imageSize(),
        c.batchSize(), c.lr(), c.weightDecay(), c.momentum(), c.nesterov() ? " nesterov" : "", c.labelSmoothing(),
        c.warmupEpochs(), c.epochs() == 0 ? "all" : c.epochs(), c.samplesPerEpoch() == 0 ? "?" : c.samplesPerEpoch(),
        c.runId(), c.runDir(), metricsUrl)
        + (r != null && r.colorJitter() > 0 ? String.format(Locale.ROOT, "%nnote: recipe %s expects color jitter %.1f"
            + " in preprocess", r.name(), r.colorJitter()) : "");
  }
}
