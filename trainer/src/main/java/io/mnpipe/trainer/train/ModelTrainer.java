package io.mnpipe.trainer.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.Normalizer;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.quant.Quantization;
import io.mnpipe.models.runtime.IntraOpThreads;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.checkpoint.TrainState;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A config in, a model that learns one batch per {@link #step} out: builds the MobileNet, SGD with
 * warmup-cosine LR and label-smoothed cross-entropy on the engine's default device (GPU if any),
 * normalises each uint8 batch there, and refuses to go on once the loss is NaN or infinite. With
 * several local GPUs it trains data-parallel: each step's batch is split over all of them and their
 * gradients are summed (DJL's parameter store keeps a copy of the weights per device). Built
 * from a checkpoint, it continues that run: weights, BatchNorm statistics, momentum buffers and the
 * step (hence the LR) are those the checkpoint saved.
 */
public final class ModelTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);
  private static final AtomicBoolean MALLOC_CHECKED = new AtomicBoolean();
  /** What the launcher should export for CPU training when no tcmalloc/jemalloc is preloaded. */
  public static final String GLIBC_TUNABLES =
      "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";

  private final TrainerConfig config;
  private final Model model;
  private final Trainer trainer;
  private final Normalizer normalizer;
  private final WarmupCosine schedule;
  private final DecayMaskedSgd optimizer;
  private final Device[] devices;
  private long steps;
  private boolean bnFrozen;

  /** @param totalSteps schedule horizon: cosine reaches 0 there; 0 = unknown (constant after warmup) */
  public ModelTrainer(TrainerConfig config, long totalSteps) {
    this(config, new WarmupCosine((float) config.lr(), config.effectiveWarmupSteps(), totalSteps), null, 0);
  }

  /**
   * @param schedule the run's LR schedule
   * @param checkpoint a checkpoint folder of this run to continue from (weights and, if present,
   *     momentum); null for a fresh model
   * @param step optimizer steps the checkpoint had taken (0 when fresh)
   */
  public ModelTrainer(TrainerConfig config, WarmupCosine schedule, Path checkpoint, long step) {
    this.config = config;
    this.schedule = schedule;
    this.steps = step;
    // A resumed run must not replay the dropout masks of its first steps.
    Engine.getInstance().setRandomSeed((int) (config.seed() + step));
    IntraOpThreads.pinEngineDefault(); // steps run on this thread; an in-process evaluator may limit its own
    this.model = Model.newInstance(config.model());
    try {
      if (config.amp()) {
        throw new IllegalArgumentException(model.getNDManager().getDevice().isGpu()
            ? "--amp: mixed-precision training is not built yet (DJL exposes no autocast); train without --amp"
            : "--amp: mixed precision is for GPUs, and this run trains on the CPU, in float32; drop --amp");
      }
      model.setBlock(MobileNets.create(config.model(), config.numClasses(), config.qat()));
      Shape input = new Shape(config.batchSize(), 3, config.imageSize(), config.imageSize());
      if (checkpoint != null) {
        CheckpointMeta meta = Checkpoints.readMeta(checkpoint);
        if (meta.quantized() != config.qat()) {
          throw new IllegalArgumentException("run " + config.runId() + " has " + (config.qat() ? "float" : "QAT")
              + " checkpoints; resume it " + (config.qat() ? "without" : "with") + " --qat, or start a new run");
        }
        // Loaded before the trainer exists: its parameter store then holds the loaded arrays.
        model.load(checkpoint, Checkpoints.PARAMS_PREFIX);
        bnFrozen = meta.bnFrozen();
      } else if (config.initCheckpoint() != null) {
        initFrom(config.initCheckpoint(), input);
      }
      if (config.qat()) {
        Quantization.configure(model.getBlock(), Quantization.Mode.QAT);
        Quantization.freezeBatchNorm(model.getBlock(), bnFrozen);
        LOG.info("quantization-aware training: int8 per-channel weights with BatchNorm folded, uint8 activations;"
            + " BatchNorm statistics {}", bnFrozen ? "frozen" : config.freezeBnEpoch() > 0
            ? "frozen from epoch " + config.freezeBnEpoch() : "never frozen");
      }
      this.devices = trainingDevices(model.getNDManager().getDevice());
      this.optimizer = DecayMaskedSgd.forBlock(model.getBlock(), schedule, (float) config.momentum(),
          (float) config.weightDecay(), config.nesterov(), () -> steps);
      Path momentum = checkpoint == null ? null : checkpoint.resolve(TrainState.OPTIMIZER_FILE);
      if (momentum != null && Files.isRegularFile(momentum)) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(momentum))) {
          optimizer.loadState(in, model.getNDManager(), devices.length);
        }
      }
      DefaultTrainingConfig tc = new DefaultTrainingConfig(new LabelSmoothingLoss((float) config.labelSmoothing()))
          .optOptimizer(optimizer).optDevices(devices);
      this.trainer = model.newTrainer(tc);
      trainer.initialize(input);
      this.normalizer = new Normalizer(trainer.getManager());
      warnAboutMalloc(model.getNDManager().getDevice());
    } catch (IOException | MalformedModelException e) {
      model.close();
      throw new IllegalStateException("cannot continue from checkpoint " + checkpoint + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Starts the fresh model from another checkpoint's weights (e.g. QAT from a float model). */
  private void initFrom(Path dir, Shape input) {
    try (Checkpoints.Loaded init = Checkpoints.load(dir, model.getNDManager().getDevice())) {
      if (!init.meta().model().equals(config.model()) || init.meta().numClasses() != config.numClasses()) {
        throw new IllegalArgumentException("--init-checkpoint " + dir + " holds " + init.meta().model() + " with "
            + init.meta().numClasses() + " classes; this run trains " + config.model() + " with "
            + config.numClasses());
      }
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, input);
      Quantization.copyFloatWeights(init.model().getBlock(), model.getBlock());
      LOG.info("initialised from {} ({}, step {}{})", dir, init.meta().id(), init.meta().step(),
          init.meta().quantized() ? ", a QAT checkpoint; its activation ranges start over" : "");
    }
  }

  /**
   * libtorch on glibc's default malloc maps and faults in fresh pages for every activation buffer;
   * measured here, CPU steps ran up to 20x slower. Warn once, naming the fix.
   */
  private static void warnAboutMalloc(Device device) {
    if (device.isGpu() || !System.getProperty("os.name", "").toLowerCase().contains("linux")
        || !MALLOC_CHECKED.compareAndSet(false, true)) {
      return;
    }
    String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
    String tunables = System.getenv().getOrDefault("GLIBC_TUNABLES", "");
    if (!preload.contains("tcmalloc") && !preload.contains("jemalloc") && !tunables.contains("mmap_threshold")) {
      LOG.warn("training on the CPU with glibc's default malloc can be up to 20x slower; start the JVM with"
          + " LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 or GLIBC_TUNABLES={}", GLIBC_TUNABLES);
    }
  }

  /** The primary device (the model's) first, then every other local GPU when the primary is one. */
  private static Device[] trainingDevices(Device primary) {
    if (!primary.isGpu()) {
      return new Device[] {primary};
    }
    List<Device> all = new ArrayList<>(List.of(primary));
    for (Device d : Engine.getInstance().getDevices()) {
      if (d.isGpu() && !d.equals(primary)) {
        all.add(d);
      }
    }
    return all.toArray(Device[]::new);
  }

  /**
   * Samples of a batch of {@code batch} per device, as even as possible, first ones larger; fewer
   * devices than given when the batch is small, so that every share holds two samples (BatchNorm).
   */
  static int[] shares(int batch, int devices) {
    int k = Math.max(1, Math.min(devices, batch / 2));
    int[] s = new int[k];
    for (int i = 0; i < k; i++) {
      s[i] = batch / k + (i < batch % k ? 1 : 0);
    }
    return s;
  }

  /** One SGD step on {@code batch} (split over the devices); returns its loss. */
  public float step(SampleBatch batch) {
    if (config.qat() && !bnFrozen && config.freezeBnEpoch() > 0 && batch.epoch() >= config.freezeBnEpoch()) {
      Quantization.freezeBatchNorm(model.getBlock(), true);
      bnFrozen = true;
      LOG.info("epoch {}: BatchNorm statistics frozen at step {} (--freeze-bn-epoch {})", batch.epoch(), steps,
          config.freezeBnEpoch());
    }
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDArray x = normalizer.toInput(batch, scope);
      NDArray y = Normalizer.labels(batch, scope);
      int[] shares = shares(batch.size(), devices.length);
      NDArray[] losses = new NDArray[shares.length];
      // DJL's PyTorch engine records one gradient tape per process at a time: trainers sharing a
      // JVM (local fan-out) take turns per step, which on shared cores costs them nothing.
      synchronized (AUTOGRAD) {
        collectGradients(x, y, shares, losses, batch.size());
      }
      float loss = 0;
      for (int i = 0; i < shares.length; i++) { // read after every device has its work queued
        loss += losses[i].getFloat() * shares[i] / batch.size();
      }
      if (!Float.isFinite(loss)) {
        throw new IllegalStateException(String.format(
            "training diverged: loss is %s at step %d (lr %.5g, batch of %d); lower --lr, add warmup, or check"
                + " the input for corrupt samples", loss, steps + 1, lr(), batch.size()));
      }
      trainer.step();
      steps++;
      return loss;
    }
  }

  /** One tape per process: see {@link #step}. */
  private static final Object AUTOGRAD = new Object();

  private void collectGradients(NDArray x, NDArray y, int[] shares, NDArray[] losses, int batchSize) {
    try (GradientCollector gc = trainer.newGradientCollector()) {
      int from = 0;
      for (int i = 0; i < shares.length; i++) {
        NDArray xi = shares.length == 1 ? x : x.get(from + ":" + (from + shares[i])).toDevice(devices[i], false);
        NDArray yi = shares.length == 1 ? y : y.get(from + ":" + (from + shares[i])).toDevice(devices[i], false);
        NDList logits = trainer.forward(new NDList(xi));
        losses[i] = trainer.getLoss().evaluate(new NDList(yi), logits);
        // The devices' gradients are summed: each share's mean loss counts by its part of the batch.
        gc.backward(shares.length == 1 ? losses[i] : losses[i].mul((float) shares[i] / batchSize));
        from += shares[i];
      }
    }
  }

  /** The devices each step runs on: one, or every local GPU (data-parallel), the model's first. */
  public Device[] devices() {
    return devices.clone();
  }

  /** Learning rate the next step will use. */
  public float lr() {
    return schedule.at(steps);
  }

  /** Whether a QAT model's BatchNorm statistics are frozen now. */
  public boolean bnFrozen() {
    return bnFrozen;
  }

  public long steps() {
    return steps;
  }

  public long totalSteps() {
    return schedule.totalSteps();
  }

  /** Writes the optimizer's momentum buffers (for a checkpoint). */
  public void saveOptimizer(OutputStream out) throws IOException {
    optimizer.saveState(out);
  }

  public WarmupCosine schedule() {
    return schedule;
  }

  /** The model being trained (its block holds the current weights), e.g. to save a checkpoint. */
  public Model model() {
    return model;
  }

  public TrainerConfig config() {
    return config;
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
