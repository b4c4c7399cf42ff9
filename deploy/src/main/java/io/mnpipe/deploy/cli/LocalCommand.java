package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.local.LocalConfig;
import io.mnpipe.deploy.local.LocalPipeline;
import io.mnpipe.deploy.local.RunSummary;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.preprocess.flink.FlowControl;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline local}: options in, the whole pipeline run on this machine, a summary out. */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs every stage on this machine: an embedded Kafka broker (KRaft), ingest, the Flink",
        "preprocess job on a MiniCluster, the DJL trainer and the evaluator, then prints a summary."})
public final class LocalCommand implements Callable<Integer> {
  @Option(names = "--dataset", defaultValue = "synthetic", paramLabel = "SPEC",
      description = {"synthetic (default), or a source as publish takes it, e.g.",
          "fashion-mnist:/usr/share/datasets/fashion-mnist (trained with flips on the whole image)."})
  String dataset;

  @Option(names = "--model", defaultValue = "mobilenet_v2_035",
      description = {"MobileNet to train (default ${DEFAULT-VALUE}); see ./pipeline models. Several, comma-separated",
          "(e.g. mobilenet_v2_035,mobilenet_v3_small_100), train side by side from the one decoded stream,",
          "each with its own checkpoints and evaluations; the job keeps pace with the slowest."})
  String model;

  @Option(names = "--epochs", defaultValue = "1", description = "Epochs to preprocess and train (default 1).")
  int epochs;

  @Option(names = "--image-size", defaultValue = "64", description = "Training crop size in pixels (default 64).")
  int imageSize;

  @Option(names = "--batch-size", defaultValue = "32", description = "Samples per step (default 32).")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.05", description = "Peak learning rate, SGD + cosine (default 0.05).")
  double lr;

  @Option(names = "--wd", defaultValue = "4e-5",
      description = "Weight decay on conv/linear weights, not BN or biases (default ${DEFAULT-VALUE}, MindCV's V2).")
  double weightDecay;

  @Option(names = "--max-minutes", defaultValue = "0",
      description = "Stop training after this many minutes; 0 = no limit (default).")
  double maxMinutes;

  @Option(names = "--checkpoints-per-epoch", defaultValue = "2", paramLabel = "N",
      description = {"Checkpoints per epoch, the last at its end; the evaluator scores each (default 2).",
          "Each evaluation takes one core for a few seconds."})
  int checkpointsPerEpoch;

  @Option(names = "--synthetic-classes", defaultValue = "4", description = "Classes of the synthetic set (2-8).")
  int syntheticClasses;

  @Option(names = "--synthetic-train", defaultValue = "800", description = "Synthetic training images per class (default 800).")
  int syntheticTrain;

  @Option(names = "--synthetic-val", defaultValue = "100", description = "Synthetic validation images per class (default 100).")
  int syntheticVal;

  @Option(names = "--bootstrap", description = "Use this Kafka cluster (host:port) instead of the embedded broker.")
  String bootstrap;

  @Option(names = "--work-dir", defaultValue = "local-run", description = "Checkpoints and broker data (default ./local-run).")
  Path workDir;

  @Option(names = "--metrics-port", defaultValue = "9464",
      description = "Prometheus endpoint port on 127.0.0.1 (default 9464; 0 = any free port).")
  int metricsPort;

  @Option(names = "--flink-metrics-port", defaultValue = "9249",
      description = "Port of Flink's Prometheus reporter for the preprocess job (default 9249; 0 = off).")
  int flinkMetricsPort;

  @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism of preprocess (default 2).")
  int parallelism;

  @Option(names = "--shuffle-buffer-bytes", defaultValue = "67108864", paramLabel = "BYTES",
      description = {"Bytes of raw images the preprocess shuffle buffer holds per subtask (default 64 MiB);",
          "the buffer is checkpointed whole, so this bounds the checkpoint size."})
  long shuffleBufferBytes;

  @Option(names = "--restart-attempts", defaultValue = "3", paramLabel = "N",
      description = "Restarts of the preprocess job before the run fails (default ${DEFAULT-VALUE}).")
  int restartAttempts;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of data generation, augmentation and init.")
  long seed;

  @Option(names = "--max-lead", defaultValue = "" + FlowControl.DEFAULT_MAX_LEAD, paramLabel = "RECORDS",
      description = {"Flow control: the preprocess job pauses while the samples topic holds more than this many",
          "records the trainer has not consumed (default ${DEFAULT-VALUE})."})
  long maxLead;

  @Mixin
  QatOptions quantization = new QatOptions();

  @Option(names = "--json-summary", description = "Also write the run summary as JSON to this file.")
  Path jsonSummary;

  @Override
  public Integer call() throws Exception {
    LocalConfig config = new LocalConfig(dataset,
        new SyntheticDataset.Config(syntheticClasses, syntheticTrain, syntheticVal, 2, seed), model, epochs, imageSize,
        batchSize, lr, weightDecay, maxMinutes, bootstrap, workDir, metricsPort, parallelism, seed, flinkMetricsPort,
        checkpointsPerEpoch, shuffleBufferBytes, restartAttempts, quantization.qatOr(false), quantization.initCheckpoint,
        quantization.freezeBnEpochOr(0), maxLead);
    RunSummary summary = new LocalPipeline(config).run();
    System.out.println(summary.describe());
    if (jsonSummary != null) {
      summary.writeJson(jsonSummary);
      System.out.println("summary written to " + jsonSummary);
    }
    return 0;
  }
}
