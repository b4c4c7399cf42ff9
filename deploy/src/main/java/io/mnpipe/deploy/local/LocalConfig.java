package io.mnpipe.deploy.local;

import io.mnpipe.ingest.source.DatasetSources;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.models.MobileNets;
import io.mnpipe.preprocess.flink.FlowControl;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of one {@code pipeline local} run, validated once here.
 *
 * @param dataset dataset spec: {@code synthetic}, or a source as {@code publish} takes it
 *     ({@code fashion-mnist:DIR}, {@code cifar10:DIR}, {@code imagenet:DIR}, {@code wds:GLOB})
 * @param synthetic generator settings when the dataset is synthetic
 * @param model canonical MobileNet name, or several separated by commas: each trains from the one
 *     decoded stream (fan-out), with its own checkpoints, evaluations and summary entry
 * @param epochs epochs to preprocess and train
 * @param imageSize side of the square training crops
 * @param batchSize samples per training step
 * @param lr peak learning rate
 * @param weightDecay L2 on conv and linear weights (not BatchNorm or biases)
 * @param maxMinutes wall-time budget of the training stage; 0 = none
 * @param bootstrap an existing Kafka cluster, or null for the embedded broker
 * @param workDir where checkpoints (and the embedded broker's data) go
 * @param metricsPort port of the Prometheus endpoint on 127.0.0.1; 0 picks a free one
 * @param parallelism Flink parallelism of the preprocess job
 * @param seed augmentation and initialisation seed
 * @param flinkMetricsPort port of Flink's Prometheus reporter for the MiniCluster; 0 = no reporter
 * @param checkpointsPerEpoch checkpoints (each scored by the evaluator) per epoch, evenly spaced, the
 *     last at the epoch's end; each evaluation takes one core for a few seconds
 * @param shuffleBufferBytes bytes the preprocess job's shuffle buffer holds per subtask (checkpointed whole)
 * @param restartAttempts restarts of the preprocess job before the run fails
 * @param qat quantization-aware training (see {@code TrainerConfig#qat})
 * @param initCheckpoint checkpoint the run's weights start from; null = fresh initialisation
 * @param freezeBnEpoch with qat, the epoch from which BatchNorm statistics are frozen; 0 = never
 */
public record LocalConfig(String dataset, SyntheticDataset.Config synthetic, String model, int epochs, int imageSize,
    int batchSize, double lr, double weightDecay, double maxMinutes, String bootstrap, Path workDir, int metricsPort, int parallelism,
    long seed, int flinkMetricsPort, int checkpointsPerEpoch, long shuffleBufferBytes, int restartAttempts,
    boolean qat, Path initCheckpoint, int freezeBnEpoch, long maxLead) {

  /** As the canonical constructor, with the default --max-lead. */
  public LocalConfig(String dataset, SyntheticDataset.Config synthetic, String model, int epochs, int imageSize,
      int batchSize, double lr, double weightDecay, double maxMinutes, String bootstrap, Path workDir, int metricsPort,
      int parallelism, long seed, int flinkMetricsPort, int checkpointsPerEpoch, long shuffleBufferBytes,
      int restartAttempts, boolean qat, Path initCheckpoint, int freezeBnEpoch) {
    this(dataset, synthetic, model, epochs, imageSize, batchSize, lr, weightDecay, maxMinutes, bootstrap, workDir,
        metricsPort, parallelism, seed, flinkMetricsPort, checkpointsPerEpoch, shuffleBufferBytes, restartAttempts,
        qat, initCheckpoint, freezeBnEpoch, FlowControl.DEFAULT_MAX_LEAD);
  }

  public LocalConfig {
    DatasetSources.Spec.parse(dataset); // fails with the known kinds listed
    List<String> models = models(model);
    for (String m : models) {
      if (!MobileNets.exists(m)) {
        throw new IllegalArgumentException("unknown model '" + m + "'; known: " + String.join(", ", MobileNets.names()));
      }
    }
    if (new java.util.HashSet<>(models).size() < models.size()) {
      throw new IllegalArgumentException("--model names a model twice: " + model);
    }
    if (models.size() > 1 && initCheckpoint != null) {
      throw new IllegalArgumentException("--init-checkpoint holds one model's weights; give one --model with it");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
    }
    if (imageSize < 32 || imageSize > 512) {
      throw new IllegalArgumentException("--image-size must be 32..512, got " + imageSize);
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("--batch-size must be at least 2, got " + batchSize);
    }
    if (!(lr > 0)) {
      throw new IllegalArgumentException("--lr must be positive, got " + lr);
    }
    if (!(weightDecay >= 0 && weightDecay < 1)) {
      throw new IllegalArgumentException("--wd must be in [0, 1), got " + weightDecay);
    }
    if (maxMinutes < 0) {
      throw new IllegalArgumentException("--max-minutes must be >= 0, got " + maxMinutes);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("--metrics-port must be 0..65535, got " + metricsPort);
    }
    if (flinkMetricsPort < 0 || flinkMetricsPort > 65535) {
      throw new IllegalArgumentException("--flink-metrics-port must be 0..65535, got " + flinkMetricsPort);
    }
    if (checkpointsPerEpoch < 1) {
      throw new IllegalArgumentException("--checkpoints-per-epoch must be at least 1, got " + checkpointsPerEpoch);
    }
    for (String m : models) {
      if (qat && !MobileNets.spec(m).quantizable()) {
        throw new IllegalArgumentException("--qat is built for the mobilenet_v1 and mobilenet_v2 families, not " + m);
      }
    }
    if (freezeBnEpoch < 0 || (freezeBnEpoch > 0 && !qat)) {
      throw new IllegalArgumentException("--freeze-bn-epoch must be >= 0 and needs --qat, got " + freezeBnEpoch);
    }
    if (maxLead < 1) {
      throw new IllegalArgumentException("--max-lead must be at least 1 record, got " + maxLead);
    }
    if (shuffleBufferBytes < 1 << 20) {
      throw new IllegalArgumentException("--shuffle-buffer-bytes must be at least 1 MiB, got " + shuffleBufferBytes);
    }
    if (restartAttempts < 0) {
      throw new IllegalArgumentException("--restart-attempts must be >= 0, got " + restartAttempts);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
    }
  }

  /** The models to train, in the order given: more than one trains them side by side from one stream. */
  public List<String> models() {
    return models(model);
  }

  private static List<String> models(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--model is empty");
    }
    return java.util.Arrays.stream(spec.split(",")).map(String::trim).toList();
  }

  /** Small-image datasets train on the whole image (flip) and evaluate on it (resize). */
  public boolean smallImages() {
    return DatasetSources.Spec.parse(dataset).smallImages();
  }
}
