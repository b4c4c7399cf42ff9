package io.mnpipe.deploy.bench;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mnpipe.evaluator.EvalForward;
import io.mnpipe.ingest.publish.PublishReport;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.runtime.IntraOpThreads;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.bench.TrainBenchmark;
import io.mnpipe.trainer.train.ModelTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mnpipe against the tool its users would pick instead, PyTorch + torchvision, on the same machine in
 * one run: per case, the same model definition (parameter counts checked equal), batch, input size
 * and thread count, or for the data path the same image files. Rounds alternate, peer first and
 * last: P0 M1 P1 M2 P2 ..., and each of our rounds is compared with the mean of the peer's rounds
 * around it, so a drift of the machine's speed falls on both sides; the ratio is the median of those.
 */
public final class PeerComparison {
  private static final Logger LOG = LoggerFactory.getLogger(PeerComparison.class);
  static final int CLASSES = 1000;

  /** What a case times. */
  public enum Kind { TRAIN, EVAL, DATA }

  /**
   * One comparison: a model at an input size and batch (train, eval), or the data path at a crop
   * size and batch (model unused).
   */
  public record Case(Kind kind, String model, int size, int batch) {
    /** {@code train:MODEL:SIZE:BATCH}, {@code eval:MODEL:SIZE:BATCH} or {@code data:SIZE:BATCH}. */
    public static Case parse(String spec) {
      String[] f = spec.trim().split(":");
      Kind kind = Arrays.stream(Kind.values()).filter(k -> k.name().equalsIgnoreCase(f[0])).findFirst().orElse(null);
      try {
        if (kind == Kind.DATA && f.length == 3) {
          return new Case(kind, "", Integer.parseInt(f[1]), Integer.parseInt(f[2]));
        }
        if (kind != null && kind != Kind.DATA && f.length == 4) {
          if (peerModel(f[1]) == null) {
            throw new IllegalArgumentException("case '" + spec + "': torchvision has no " + f[1] + "; compare one of "
                + String.join(", ", PEER_MODELS.keySet()));
          }
          return new Case(kind, f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]));
        }
      } catch (NumberFormatException e) {
        // the message below
      }
      throw new IllegalArgumentException("case '" + spec + "' is not train:MODEL:SIZE:BATCH, eval:MODEL:SIZE:BATCH"
          + " or data:SIZE:BATCH");
    }

    public String name() {
      return kind == Kind.DATA ? "data " + size + " b" + batch : kind.name().toLowerCase() + " " + model + " " + size
          + " b" + batch;
    }
  }

  /** Ours and torchvision's names of the same architecture. */
  static final Map<String, String> PEER_MODELS = Map.of("mobilenet_v2_100", "mobilenet_v2",
      "mobilenet_v3_small_100", "mobilenet_v3_small", "mobilenet_v3_large_100", "mobilenet_v3_large");

  static String peerModel(String ours) {
    return PEER_MODELS.get(ours);
  }

  /**
   * @param cases what to compare
   * @param rounds our rounds per case (the peer runs one more)
   * @param roundSeconds a round's length, from our warm-up step time; {@code steps} overrides it
   * @param steps steps per round of train and eval cases, or 0 for {@code roundSeconds}' worth
   * @param tree an ImageNet-layout tree (tree/train/&lt;wnid&gt;/*.JPEG) for data cases
   * @param parallelism the preprocess job's parallelism and the DataLoader's workers
   * @param threads libtorch intra-op threads on both sides
   * @param python the interpreter that has torch and torchvision
   * @param script bench/pytorch/peer.py
   * @param work scratch directory (checkpoints, the peer's logs)
   */
  public record Config(List<Case> cases, int rounds, double roundSeconds, int steps, Path tree, int parallelism,
      int threads, Path python, Path script, Path work) {
    public Config {
      if (cases.isEmpty() || rounds < 1 || parallelism < 1 || threads < 1) {
        throw new IllegalArgumentException("need a case, rounds >= 1, parallelism >= 1, threads >= 1");
      }
    }
  }

  /**
   * One case's outcome: medians of each side's rounds, the median per-round ratio (ours over the
   * mean of the peer's rounds around it), and each side's parameter count where there is a model.
   */
  public record CaseResult(Case spec, int steps, double mnpipeImagesPerS, double pytorchImagesPerS, double ratio,
      double[] roundRatios, long mnpipeParams, long pytorchParams, String pytorchVersion) {}

  private final Config config;
  private final KafkaSettings kafka;

  /** @param kafka a broker for the data cases (null when there are none) */
  public PeerComparison(Config config, KafkaSettings kafka) {
    this.config = config;
    this.kafka = kafka;
  }

  public List<CaseResult> run() throws Exception {
    List<CaseResult> out = new ArrayList<>();
    for (Case c : config.cases()) {
      LOG.info("compare {}: starting", c.name());
      CaseResult r = switch (c.kind()) {
        case TRAIN, EVAL -> model(c);
        case DATA -> data(c);
      };
      LOG.info("compare {}: mnpipe {} img/s, PyTorch {} img/s, ratio {}", c.name(),
          String.format("%.1f", r.mnpipeImagesPerS()), String.format("%.1f", r.pytorchImagesPerS()),
          String.format("%.3f", r.ratio()));
      out.add(r);
    }
    return out;
  }

  /** Our side of a round: images per second. */
  @FunctionalInterface
  private interface Round {
    double run() throws Exception;
  }

  private CaseResult alternate(Case c, int steps, PytorchPeer peer, Round ours, long mnpipeParams)
      throws Exception {
    double[] p = new double[config.rounds() + 1];
    double[] m = new double[config.rounds()];
    double[] ratios = new double[config.rounds()];
    p[0] = peer.round();
    for (int r = 0; r < config.rounds(); r++) {
      m[r] = ours.run();
      p[r + 1] = peer.round();
      ratios[r] = m[r] / ((p[r] + p[r + 1]) / 2);
      LOG.info("compare {}: round {}/{}: mnpipe {} img/s between PyTorch {} and {}, ratio {}", c.name(), r + 1,
          config.rounds(), String.format("%.1f", m[r]), String.format("%.1f", p[r]), String.format("%.1f", p[r + 1]),
          String.format("%.3f", ratios[r]));
    }
    long peerParams = peer.ready().path("params").asLong(0);
    return new CaseResult(c, steps, TrainBenchmark.median(m), TrainBenchmark.median(p), TrainBenchmark.median(ratios),
        ratios, mnpipeParams, peerParams,
        peer.ready().path("torch").asText());
  }

  /** Training steps or eval forward passes on batches held in memory, against the peer's. */
  private CaseResult model(Case c) throws Exception {
    List<SampleBatch> batches = TrainBenchmark.batches(
        TrainBenchmark.randomSamples(8 * c.batch(), c.size(), CLASSES), c.batch(), c.size(), CLASSES);
    if (c.kind() == Kind.TRAIN) {
      Path dir = Files.createTempDirectory(config.work(), "train-");
      TrainerConfig tc = TrainerConfig.builder(c.model(), CLASSES, dir).imageSize(c.size()).batchSize(c.batch())
          .lr(0.01).runId("compare").build();
      try (ModelTrainer trainer = new ModelTrainer(tc, 0)) {
        IntraOpThreads.limitCallingThread(config.threads()); // the trainer pins the engine's default
        return compareModel(c, "train", MobileNets.countParameters(trainer.model().getBlock()), batches,
            trainer::step);
      }
    }
    IntraOpThreads.limitCallingThread(config.threads());
    try (Model model = Model.newInstance(c.model())) {
      model.setBlock(MobileNets.create(c.model(), CLASSES));
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(c.batch(), 3, c.size(), c.size()));
      EvalForward forward = new EvalForward(model);
      return compareModel(c, "eval", MobileNets.countParameters(model.getBlock()), batches, forward::logits);
    }
  }

  /** Warms our step up, starts the peer with as many steps a round, checks the architectures, alternates. */
  private CaseResult compareModel(Case c, String kind, long params, List<SampleBatch> batches,
      java.util.function.Consumer<SampleBatch> step) throws Exception {
    int steps = steps(() -> step.accept(batches.get(0)));
    try (PytorchPeer peer = peer(c, kind, steps)) {
      checkSameModel(c, params, peer);
      return alternate(c, steps, peer, () -> {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          step.accept(batches.get(i % batches.size()));
        }
        return (double) steps * c.batch() / ((System.nanoTime() - t0) / 1e9);
      }, params);
    }
  }

  /** Untimed warm-up steps, then the steps per round: given, or roundSeconds' worth at the warm-up's pace. */
  private int steps(Runnable step) {
    int warmup = 3;
    step.run(); // the first step allocates and picks kernels: not part of the pace
    long t0 = System.nanoTime();
    for (int i = 1; i < warmup; i++) {
      step.run();
    }
    double seconds = (System.nanoTime() - t0) / 1e9 / (warmup - 1);
    return config.steps() > 0 ? config.steps() : (int) Math.max(2, Math.min(200, Math.round(config.roundSeconds()
        / seconds)));
  }

  private PytorchPeer peer(Case c, String kind, int steps) throws Exception {
    return new PytorchPeer(config.python(), config.script(), List.of(kind, "--model", peerModel(c.model()),
        "--size", String.valueOf(c.size()), "--batch", String.valueOf(c.batch()), "--steps", String.valueOf(steps),
        "--warmup-steps", "3", "--classes", String.valueOf(CLASSES), "--threads", String.valueOf(config.threads())),
        config.work().resolve("peer-" + kind + "-" + c.model() + "-" + c.size() + "-" + c.batch() + ".log"));
  }

  /** The comparison means nothing unless both sides train the same architecture. */
  private static void checkSameModel(Case c, long ours, PytorchPeer peer) {
    long theirs = peer.ready().path("params").asLong(-1);
    if (ours != theirs) {
      throw new IllegalStateException(c.model() + " has " + ours + " parameters here and torchvision's "
          + peerModel(c.model()) + " " + theirs + ": not the same architecture");
    }
  }

  /**
   * Epochs a timed data round replays: the round is timed over the second, in steady state, as the
   * peer's persistent DataLoader is after its untimed warm-up epoch. A new job compiles its paths in
   * its first seconds (C2 took ~12% of the cores in the first epoch of a timed job, after a warm-up job).
   */
  static final int DATA_EPOCHS = 2;

  /**
   * The preprocess job at parallelism = cores, raw topic to samples topic (publishing not timed),
   * against ImageFolder + DataLoader with as many workers over the same files.
   */
  private CaseResult data(Case c) throws Exception {
    if (config.tree() == null || !Files.isDirectory(config.tree().resolve("train"))) {
      throw new IllegalArgumentException("the data case needs an ImageNet-layout tree with train/, got " + config.tree());
    }
    if (kafka == null) {
      throw new IllegalStateException("the data case needs a broker");
    }
    var bench = new PreprocessBenchmark(kafka, new PreprocessBenchmark.Config(config.tree(), c.size(),
        config.parallelism(), 64L << 20, config.work().resolve("flink-checkpoints"), Duration.ofSeconds(2), 0, false,
        DATA_EPOCHS));
    PublishReport raw = bench.publishAndWarmUp();
    try (PytorchPeer peer = new PytorchPeer(config.python(), config.script(), List.of("data", "--root",
        config.tree().resolve("train").toString(), "--size", String.valueOf(c.size()), "--batch",
        String.valueOf(c.batch()), "--workers", String.valueOf(config.parallelism()), "--threads",
        String.valueOf(config.threads())), config.work().resolve("peer-data.log"))) {
      long images = peer.ready().path("images").asLong();
      if (images != raw.published()) {
        throw new IllegalStateException("the peer sees " + images + " images and the raw topic holds "
            + raw.published() + ": not the same files");
      }
      return alternate(c, 0, peer, () -> {
        PreprocessBenchmark.TimedJob job = bench.timedJob(raw);
        // End offsets count transaction markers too: fewer than the images means samples are missing.
        if (job.endOffsets() < DATA_EPOCHS * raw.published()) {
          throw new IllegalStateException("the preprocess job wrote at most " + job.endOffsets() + " of "
              + DATA_EPOCHS * raw.published() + " samples");
        }
        return job.imagesPerS();
      }, 0);
    }
  }
}
