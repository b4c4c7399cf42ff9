package io.mnpipe.trainer;

import io.mnpipe.models.MobileNets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The effective settings of one training run, validated once here. Flag names follow torchvision's
 * references/classification where one exists (--lr --momentum --wd --label-smoothing --batch-size
 * --epochs --lr-warmup-epochs). Build with {@link #builder(String, int, Path)}.
 *
 * @param model canonical model name (see {@link MobileNets#names()})
 * @param numClasses classifier outputs; labels must lie in [0, numClasses)
 * @param imageSize side of the square samples the trainer accepts; others are skipped
 * @param batchSize samples per step (default 32)
 * @param epochs epochs of the input to train on; samples of later epochs are skipped; 0 = all
 * @param lr peak learning rate reached after warmup (default 0.05)
 * @param momentum SGD momentum (default 0.9)
 * @param weightDecay L2 on conv/linear weights, not on BN or biases (default 4e-5)
 * @param labelSmoothing label smoothing of the cross-entropy loss (default 0.1)
 * @param warmupSteps linear warmup steps; wins over warmupEpochs when > 0 (default 0)
 * @param warmupEpochs linear warmup in epochs, needs samplesPerEpoch (default 0)
 * @param samplesPerEpoch samples in one epoch of the input, for the schedule; 0 = unknown
 * @param maxSteps stop once the run has taken this many steps (counting those before a resume); 0 = no limit;
 *     without epochs x samplesPerEpoch it is also the LR schedule's horizon
 * @param maxMinutes stop after this much wall time; 0 = no limit
 * @param checkpointEverySteps write a checkpoint every so many steps; 0 = only at the end (default 500)
 * @param checkpointDir directory under which each run gets a folder of checkpoints
 * @param runId name of this run: folder name and Kafka key of its checkpoint events
 * @param seed seed of weight initialisation and dropout (default 42)
 * @param logEverySteps log a progress line every so many steps (default 20)
 * @param prefetchBatches batches assembled ahead of the training thread (default 4)
 * @param nesterov Nesterov momentum (default false, as MindCV's MobileNet recipes)
 * @param valTopic validation samples topic, recorded in the run config for the evaluator; may be null
 * @param recipe name of the recipe the settings came from, for the record; may be null
 * @param fresh start the run over: earlier checkpoints of this run id move aside instead of being
 *     resumed (default false: a run with checkpoints continues from its latest)
 * @param traceKeys append each trained batch's (step, epoch, key) lines to {@code trained-keys.log}
 *     in the run folder, flushed per step (tests and debugging; default false)
 * @param qat quantization-aware training: the model's QAT form (BatchNorm folded into fake-quantized
 *     int8 weights, uint8 activations with EMA ranges), as MindSpore's MobileNetV2-Quant (default false)
 * @param initCheckpoint a checkpoint (of any run) whose weights a fresh run starts from, e.g. the
 *     float model a QAT run fine-tunes; null = initialise as the paper does. A run with checkpoints of
 *     its own resumes from those instead.
 * @param freezeBnEpoch with qat, the input epoch from which BatchNorm statistics are frozen (the
 *     running ones are used and kept); 0 = never (default)
 * @param amp mixed precision; refused: the trainer trains in float32 (on the CPU autocast would not
 *     help, and the GPU path is not built)
 */
public record TrainerConfig(
    String model, int numClasses, int imageSize, int batchSize, int epochs,
    double lr, double momentum, double weightDecay, double labelSmoothing,
    int warmupSteps, double warmupEpochs, long samplesPerEpoch,
    long maxSteps, double maxMinutes, int checkpointEverySteps,
    Path checkpointDir, String runId, long seed, int logEverySteps, int prefetchBatches, boolean nesterov,
    String valTopic, String recipe, boolean fresh, boolean traceKeys, boolean qat, Path initCheckpoint,
    int freezeBnEpoch, boolean amp) {

  public TrainerConfig {
    MobileNets.spec(model);
    require(numClasses >= 2, "numClasses must be at least 2, got " + numClasses);
    require(imageSize >= 32, "imageSize must be at least 32 (MobileNets downsample 32x), got " + imageSize);
    require(batchSize >= 2, "batchSize must be at least 2 (BatchNorm needs two samples), got " + batchSize);
    require(epochs >= 0, "epochs must be >= 0 (0 = all the input holds), got " + epochs);
    require(lr > 0 && Double.isFinite(lr), "lr must be a positive number, got " + lr);
    require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
    require(weightDecay >= 0 && weightDecay < 1, "weightDecay must be in [0, 1), got " + weightDecay);
    require(labelSmoothing >= 0 && labelSmoothing < 1, "labelSmoothing must be in [0, 1), got " + labelSmoothing);
    require(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
    require(warmupEpochs >= 0, "warmupEpochs must be >= 0, got " + warmupEpochs);
    require(warmupEpochs == 0 || warmupSteps > 0 || samplesPerEpoch > 0,
        "warmupEpochs needs samplesPerEpoch to turn epochs into steps; give warmupSteps instead");
    require(samplesPerEpoch >= 0, "samplesPerEpoch must be >= 0, got " + samplesPerEpoch);
    require(maxSteps >= 0, "maxSteps must be >= 0 (0 = no limit), got " + maxSteps);
    require(maxMinutes >= 0, "maxMinutes must be >= 0 (0 = no limit), got " + maxMinutes);
    require(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0 (0 = only at the end), got "
        + checkpointEverySteps);
    require(checkpointDir != null, "checkpointDir must be given");
    require(runId != null && runId.matches("[A-Za-z0-9._-]{1,100}") && !runId.startsWith("."),
        "runId must be 1-100 letters, digits, '.', '_' or '-' (it names a folder and a Kafka key), got '"
            + runId + "'");
    require(logEverySteps >= 1, "logEverySteps must be >= 1, got " + logEverySteps);
    require(prefetchBatches >= 1, "prefetchBatches must be >= 1, got " + prefetchBatches);
    require(!nesterov || momentum > 0, "nesterov needs momentum > 0");
    require(!qat || MobileNets.spec(model).quantizable(), "quantization-aware training is built for the"
        + " mobilenet_v1 and mobilenet_v2 families, not " + model);
    require(freezeBnEpoch >= 0, "freezeBnEpoch must be >= 0 (0 = never), got " + freezeBnEpoch);
    require(freezeBnEpoch == 0 || qat, "freezeBnEpoch applies to quantization-aware training (--qat)");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** A builder holding the defaults; model, class count and checkpoint folder are required. */
  public static Builder builder(String model, int numClasses, Path checkpointDir) {
    return new Builder(model, numClasses, checkpointDir);
  }

  /** Warmup in steps, from warmupSteps or warmupEpochs * samplesPerEpoch / batchSize. */
  public int effectiveWarmupSteps() {
    if (warmupSteps > 0 || warmupEpochs == 0) {
      return warmupSteps;
    }
    return (int) Math.ceil(warmupEpochs * samplesPerEpoch / batchSize);
  }

  /**
   * The run id a command derives when none is given: model and input topic, so the same command
   * restarted finds its run again, e.g. {@code mobilenet_v2_100-mnpipe.samples.imagenet.v1.train}.
   */
  public static String defaultRunId(String model, String topic) {
    String id = (model + "-" + topic).replaceAll("[^A-Za-z0-9._-]", "_");
    return id.length() <= 100 ? id : id.substring(0, 91) + "-" + Integer.toHexString(id.hashCode());
  }

  /** Folder of this run's checkpoints. */
  public Path runDir() {
    return checkpointDir.resolve(runId);
  }

  /** Every field that is set, as text, written beside the checkpoints so a run can be reproduced. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (var c : TrainerConfig.class.getRecordComponents()) {
      try {
        Object v = c.getAccessor().invoke(this);
        if (v != null) {
          m.put(c.getName(), String.valueOf(v));
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return m;
  }

  /** Fluent defaults for {@link TrainerConfig}. */
  public static final class Builder {
    private final String model;
    private final int numClasses;
    private final Path checkpointDir;
    private int imageSize = 224;
    private int batchSize = 32;
    private int epochs = 0;
    private double lr = 0.05;
    private double momentum = 0.9;
    private double weightDecay = 4e-5;
    private double labelSmoothing = 0.1;
    private int warmupSteps = 0;
    private double warmupEpochs = 0;
    private long samplesPerEpoch = 0;
    private long maxSteps = 0;
    private double maxMinutes = 0;
    private int checkpointEverySteps = 500;
    private String runId;
    private long seed = 42;
    private int logEverySteps = 20;
    private int prefetchBatches = 4;
    private boolean nesterov;
    private String valTopic;
    private String recipe;
    private boolean fresh;
    private boolean traceKeys;
    private boolean qat;
    private Path initCheckpoint;
    private int freezeBnEpoch;
    private boolean amp;

    private Builder(String model, int numClasses, Path checkpointDir) {
      this.model = model;
      this.numClasses = numClasses;
      this.checkpointDir = checkpointDir;
    }

    public Builder imageSize(int v) { imageSize = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder lr(double v) { lr = v; return this; }
    public Builder momentum(double v) { momentum = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
    public Builder warmupSteps(int v) { warmupSteps = v; return this; }
    public Builder warmupEpochs(double v) { warmupEpochs = v; return this; }
    public Builder samplesPerEpoch(long v) { samplesPerEpoch = v; return this; }
    public Builder maxSteps(long v) { maxSteps = v; return this; }
    public Builder maxMinutes(double v) { maxMinutes = v; return this; }
    public Builder checkpointEverySteps(int v) { checkpointEverySteps = v; return this; }
    public Builder runId(String v) { runId = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder logEverySteps(int v) { logEverySteps = v; return this; }
    public Builder prefetchBatches(int v) { prefetchBatches = v; return this; }
    public Builder nesterov(boolean v) { nesterov = v; return this; }
    public Builder valTopic(String v) { valTopic = v; return this; }
    public Builder recipe(String v) { recipe = v; return this; }
    public Builder fresh(boolean v) { fresh = v; return this; }
    public Builder traceKeys(boolean v) { traceKeys = v; return this; }
    public Builder qat(boolean v) { qat = v; return this; }
    public Builder initCheckpoint(Path v) { initCheckpoint = v; return this; }
    public Builder freezeBnEpoch(int v) { freezeBnEpoch = v; return this; }
    public Builder amp(boolean v) { amp = v; return this; }

    /** Validates; the run id defaults to model name + local time, e.g. mobilenet_v2_100-20250101-120000. */
    public TrainerConfig build() {
      String id = runId != null ? runId
          : model + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      return new TrainerConfig(model, numClasses, imageSize, batchSize, epochs, lr, momentum, weightDecay,
          labelSmoothing, warmupSteps, warmupEpochs, samplesPerEpoch, maxSteps, maxMinutes,
          checkpointEverySteps, checkpointDir, id, seed, logEverySteps, prefetchBatches, nesterov, valTopic, recipe,
          fresh, traceKeys, qat, initCheckpoint, freezeBnEpoch, amp);
    }
  }
}
