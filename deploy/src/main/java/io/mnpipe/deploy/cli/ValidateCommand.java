package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.validate.DatasetSampleSource;
import io.mnpipe.evaluator.CheckpointScorer;
import io.mnpipe.evaluator.TopKAccuracy;
import io.mnpipe.ingest.source.DatasetSources;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.augment.PresetDecoder;
import io.mnpipe.trainer.checkpoint.CheckpointMeta;
import io.mnpipe.trainer.checkpoint.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline validate}: one checkpoint scored on a dataset on disk, like the reference validate.py. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Scores one checkpoint on a dataset split read straight from disk (no Kafka): decode + eval",
        "preset (resize short side to size/0.875 + centre crop; whole-image resize for fashion-mnist and",
        "cifar10), batched, and prints top-1 / top-5 / loss."})
public final class ValidateCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint folder (step-NNNNNNNNN).")
  Path checkpoint;

  @Option(names = "--val", required = true, paramLabel = "KIND:PATH",
      description = "Dataset as publish takes it: imagenet:DIR, fashion-mnist:DIR, cifar10:DIR, wds:GLOB.")
  String val;

  @Option(names = "--split", defaultValue = "val", description = "Split to score (default ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--model", paramLabel = "NAME", description = "Expected model; refused if the checkpoint holds another.")
  String model;

  @Option(names = "--batch-size", defaultValue = "64", description = "Samples per forward pass (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(checkpoint)) {
      throw new IllegalArgumentException("--checkpoint " + checkpoint + " is not a checkpoint folder");
    }
    var spec = DatasetSources.Spec.parse(val);
    try (Checkpoints.Loaded ckpt = Checkpoints.load(checkpoint)) {
      CheckpointMeta meta = ckpt.meta();
      if (model != null && !model.equals(meta.model())) {
        throw new IllegalArgumentException("--model " + model + " but the checkpoint holds " + meta.model());
      }
      var preset = new AugmentPreset(spec.smallImages() ? "resize" : "eval", meta.imageSize(), 0);
      var source = new DatasetSampleSource(DatasetSources.open(val, spec.defaultName()), split,
          new PresetDecoder(preset));
      CheckpointScorer.Score score = CheckpointScorer.score(ckpt, source, batchSize, 2);
      TopKAccuracy acc = score.accuracy();
      if (acc.samples() == 0) {
        throw new IllegalStateException("no sample of " + val + " " + split + " could be scored (" + score.skipped()
            + " skipped); check the split and that the labels fit the model's " + meta.numClasses() + " classes");
      }
      System.out.printf(Locale.ROOT, "%s (%s, %dx%d) on %s %s: top-1 %.2f%%, top-5 %.2f%%, loss %.4f, %d samples"
          + " (%d skipped, %d undecodable), %.1f s%n", meta.id(), meta.model(), meta.imageSize(), meta.imageSize(),
          val, split, 100 * acc.top1(), 100 * acc.top5(), acc.meanLoss(), acc.samples(), score.skipped(),
          source.undecodable(), score.seconds());
    }
    return 0;
  }
}
