package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.validate.DatasetSampleSource;
import io.mnpipe.evaluator.CheckpointScorer;
import io.mnpipe.evaluator.OnnxScorer;
import io.mnpipe.evaluator.PostTrainingQuantizer;
import io.mnpipe.evaluator.TopKAccuracy;
import io.mnpipe.ingest.source.DatasetSources;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.augment.PresetDecoder;
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
        "cifar10), batched, and prints top-1 / top-5 / loss. With --onnx, also (or instead) scores a model",
        "written by 'pipeline export' with ONNX Runtime on the same split."})
public final class ValidateCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", paramLabel = "DIR", description = "Checkpoint folder (step-NNNNNNNNN).")
  Path checkpoint;

  @Option(names = "--onnx", paramLabel = "FILE", description = "An exported model to score with ONNX Runtime.")
  Path onnx;

  @Option(names = "--onnx-as-written",
      description = {"Run the ONNX model's nodes as written (no graph optimisation: QDQ pairs stay float",
          "simulation, as the evaluator computes); default: ONNX Runtime's optimised int8 kernels, as deployed."})
  boolean onnxAsWritten;

  @Option(names = "--val", required = true, paramLabel = "KIND:PATH",
      description = "Dataset as publish takes it: imagenet:DIR, fashion-mnist:DIR, cifar10:DIR, wds:GLOB.")
  String val;

  @Option(names = "--split", defaultValue = "val", description = "Split to score (default ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--model", paramLabel = "NAME", description = "Expected model; refused if the checkpoint holds another.")
  String model;

  @Option(names = "--batch-size", defaultValue = "64", description = "Samples per forward pass (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--ptq-batches", defaultValue = "0", paramLabel = "N",
      description = {"Also score naive post-training int8 of a float checkpoint: activation ranges from the min/max",
          "of N batches of --calibration-split, no training (default 0 = off)."})
  int ptqBatches;

  @Option(names = "--calibration-split", defaultValue = "train",
      description = "Split the post-training calibration reads (default ${DEFAULT-VALUE}).")
  String calibrationSplit;

  @Override
  public Integer call() throws Exception {
    if (checkpoint == null && onnx == null) {
      throw new IllegalArgumentException("give --checkpoint DIR, --onnx FILE, or both");
    }
    var spec = DatasetSources.Spec.parse(val);
    if (checkpoint != null) {
      scoreCheckpoint(spec);
    }
    if (onnx != null) {
      scoreOnnx(spec);
    }
    return 0;
  }

  private void scoreOnnx(DatasetSources.Spec spec) throws Exception {
    if (!Files.isRegularFile(onnx)) {
      throw new IllegalArgumentException("--onnx " + onnx + " is not a file");
    }
    try (OnnxScorer scorer = new OnnxScorer(onnx, !onnxAsWritten)) {
      var preset = new AugmentPreset(spec.smallImages() ? "resize" : "eval", scorer.imageSize(), 0);
      DatasetSampleSource source = source(spec, split, preset);
      CheckpointScorer.Score score = scorer.score(source, batchSize);
      TopKAccuracy acc = score.accuracy();
      if (acc.samples() == 0) {
        throw new IllegalStateException("no sample of " + val + " " + split + " could be scored (" + score.skipped()
            + " skipped); check the split and that the labels fit the model's " + scorer.numClasses() + " classes");
      }
      System.out.printf(Locale.ROOT, "%s (ONNX Runtime, %s, %dx%d) on %s %s: top-1 %.2f%%, top-5 %.2f%%, loss %.4f,"
          + " %d samples (%d skipped, %d undecodable), %.1f s%n", onnx, onnxAsWritten ? "nodes as written"
          : "optimised kernels", scorer.imageSize(), scorer.imageSize(), val, split, 100 * acc.top1(), 100 * acc.top5(),
          acc.meanLoss(), acc.samples(), score.skipped(), source.undecodable(), score.seconds());
    }
  }

  private void scoreCheckpoint(DatasetSources.Spec spec) {
    if (!Files.isDirectory(checkpoint)) {
      throw new IllegalArgumentException("--checkpoint " + checkpoint + " is not a checkpoint folder");
    }
    try (Checkpoints.Loaded ckpt = Checkpoints.load(checkpoint)) {
      CheckpointMeta meta = ckpt.meta();
      if (model != null && !model.equals(meta.model())) {
        throw new IllegalArgumentException("--model " + model + " but the checkpoint holds " + meta.model());
      }
      var preset = new AugmentPreset(spec.smallImages() ? "resize" : "eval", meta.imageSize(), 0);
      score(ckpt, spec, preset, meta.quantized() ? "QAT, " : "");
      if (ptqBatches > 0) {
        try (Checkpoints.Loaded ptq = PostTrainingQuantizer.quantize(ckpt, source(spec, calibrationSplit, preset),
            ptqBatches, batchSize)) {
          score(ptq, spec, preset, "post-training int8 calibrated on " + ptqBatches + " " + calibrationSplit
              + " batch(es), ");
        }
      }
    }
  }

  private void score(Checkpoints.Loaded ckpt, DatasetSources.Spec spec, AugmentPreset preset, String what) {
    CheckpointMeta meta = ckpt.meta();
    DatasetSampleSource source = source(spec, split, preset);
    CheckpointScorer.Score score = CheckpointScorer.score(ckpt, source, batchSize, 2);
    TopKAccuracy acc = score.accuracy();
    if (acc.samples() == 0) {
      throw new IllegalStateException("no sample of " + val + " " + split + " could be scored (" + score.skipped()
          + " skipped); check the split and that the labels fit the model's " + meta.numClasses() + " classes");
    }
    TopKAccuracy f = score.floatAccuracy();
    System.out.printf(Locale.ROOT, "%s (%s%s, %dx%d) on %s %s: %stop-1 %.2f%%, top-5 %.2f%%, loss %.4f%s, %d samples"
        + " (%d skipped, %d undecodable), %.1f s%n", meta.id(), what, meta.model(), meta.imageSize(), meta.imageSize(),
        val, split, f == null ? "" : "int8 ", 100 * acc.top1(), 100 * acc.top5(), acc.meanLoss(),
        f == null ? "" : String.format(Locale.ROOT, "; float top-1 %.2f%%, top-5 %.2f%%", 100 * f.top1(), 100 * f.top5()),
        acc.samples(), score.skipped(), source.undecodable(), score.seconds());
  }

  /** The samples of one split of --val, decoded with {@code preset}. */
  private DatasetSampleSource source(DatasetSources.Spec spec, String splitName, AugmentPreset preset) {
    return new DatasetSampleSource(DatasetSources.open(val, spec.defaultName()), splitName, new PresetDecoder(preset));
  }
}
