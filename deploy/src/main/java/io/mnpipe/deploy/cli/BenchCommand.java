package io.mnpipe.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnpipe.deploy.bench.PeerComparison;
import io.mnpipe.deploy.bench.PreprocessBenchmark;
import io.mnpipe.ingest.bench.IngestBenchmark;
import io.mnpipe.kafka.EmbeddedKafka;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.preprocess.bench.DecodeBenchmark;
import io.mnpipe.preprocess.bench.SyntheticImageNet;
import io.mnpipe.trainer.bench.TrainBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline bench ...}: benchmarks that print a ratio against a baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks, each against a baseline measured in the same run.",
    subcommands = {BenchCommand.Ingest.class, BenchCommand.Decode.class, BenchCommand.Preprocess.class,
        BenchCommand.Train.class, BenchCommand.Compare.class})
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** An embedded broker on tmpfs where there is one: the ratios measure client-side cost, not the disk's mood. */
  static EmbeddedKafka embeddedBroker() throws Exception {
    Path shm = Path.of("/dev/shm");
    return EmbeddedKafka.start(Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "mnpipe-bench-kafka-") : Files.createTempDirectory("mnpipe-bench-kafka-"),
        true);
  }

  /**
   * --bootstrap and --json of the benchmarks that use Kafka: that cluster, or an embedded broker
   * when it is absent.
   */
  static final class BrokerOption {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
        description = "Benchmark against this cluster instead of an embedded broker.")
    String bootstrap;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    void run(OnKafka work) throws Exception {
      onBroker(bootstrap, work);
    }

    String describe() {
      return bootstrap == null ? "embedded (log dir on tmpfs where available)" : bootstrap;
    }
  }

  /** --json of every benchmark. */
  static final class JsonOption {
    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;
  }

  /** A benchmark's work against a broker. */
  @FunctionalInterface
  interface OnKafka {
    void run(KafkaSettings kafka) throws Exception;
  }

  /** Runs {@code work} against {@code bootstrap}, or against an embedded broker (closed after) when it is null. */
  static void onBroker(String bootstrap, OnKafka work) throws Exception {
    if (bootstrap != null) {
      work.run(reachable(bootstrap));
      return;
    }
    try (EmbeddedKafka broker = embeddedBroker()) {
      work.run(broker.settings());
    }
  }

  static void printJson(Map<String, Object> out) throws Exception {
    System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
  }

  static KafkaSettings reachable(String bootstrap) {
    KafkaSettings kafka = new KafkaSettings(bootstrap);
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.checkReachable(Duration.ofSeconds(15));
    }
    return kafka;
  }

  /** Publishing throughput of the ingest path against a plain producer loop. */
  @Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Publishes a fixed set of JPEG-sized records through ingest's publisher and, alternating,",
          "through a plain KafkaProducer loop with the same settings, against the same broker."})
  static final class Ingest implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "4000", description = "Records per round (default ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--image-bytes", defaultValue = "112640", description = "Bytes per image (default 110 KiB).")
    int imageBytes;

    @Option(names = "--rounds", defaultValue = "7", description = "Rounds; medians are reported (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--partitions", defaultValue = "8", description = "Partitions per topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Mixin
    BrokerOption broker = new BrokerOption();

    @Override
    public Integer call() throws Exception {
      var config = new IngestBenchmark.Config(records, imageBytes, rounds, partitions);
      broker.run(kafka -> print(new IngestBenchmark(kafka, config).run()));
      return 0;
    }

    private void print(IngestBenchmark.Result r) throws Exception {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("benchmark", "ingest");
      out.put("records", r.records());
      out.put("record_bytes", r.imageBytes());
      out.put("rounds", r.rounds());
      out.put("records_per_s", round(r.recordsPerS()));
      out.put("mb_per_s", round(r.mbPerS()));
      out.put("baseline_records_per_s", round(r.baselineRecordsPerS()));
      out.put("baseline_mb_per_s", round(r.baselineMbPerS()));
      out.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
      out.put("pipeline_rounds_mb_per_s", r.pipelineRoundsMbPerS());
      out.put("baseline_rounds_mb_per_s", r.baselineRoundsMbPerS());
      out.put("broker", broker.describe());
      if (broker.json) {
        printJson(out);
      } else {
        System.out.printf("ingest: %.0f rec/s, %.1f MB/s; plain producer %.1f MB/s; ratio %.3f%n", r.recordsPerS(),
            r.mbPerS(), r.baselineMbPerS(), r.ratio());
      }
    }

    private static double round(double v) {
      return Math.round(v * 10) / 10.0;
    }
  }

  /** The preprocess Flink job, raw topic to samples topic, against bare decoding on as many cores. */
  @Command(name = "preprocess", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Publishes ImageNet-like JPEGs (~500x375, ~110 KB) to a raw topic (not timed), runs the",
          "preprocess job on a MiniCluster (parallelism = cores, checkpoints on) to a samples topic at 224x224,",
          "and compares its rate with decode + augmentation of the same files on one core x parallelism,",
          "measured before and after the job."})
  static final class Preprocess implements Callable<Integer> {
    @Option(names = "--generate", defaultValue = "3000", paramLabel = "N",
        description = "Generate N photos in 10 classes (default ${DEFAULT-VALUE}); ignored with --images.")
    int generate;

    @Option(names = "--images", paramLabel = "DIR",
        description = "An ImageNet-layout tree (DIR/train/<wnid>/*.JPEG) to use instead, e.g. ImageNet itself.")
    Path images;

    @Option(names = "--size", defaultValue = "224", description = "Train crop size (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--parallelism", description = "Job parallelism (default: the machine's cores).")
    Integer parallelism;

    @Option(names = "--shuffle-buffer-bytes", defaultValue = "67108864", paramLabel = "BYTES",
        description = "Shuffle buffer cap per subtask (default 64 MiB).")
    long shuffleBufferBytes;

    @Option(names = "--checkpoint-interval", defaultValue = "PT2S", paramLabel = "DURATION",
        description = "The job's checkpoint interval, ISO-8601 (default ${DEFAULT-VALUE}, as pipeline local).")
    Duration checkpointInterval;

    @Option(names = "--shuffle-state", defaultValue = "references", paramLabel = "references|images",
        description = {"What checkpoints keep of the shuffle buffer: where each image came from (the job's",
            "default), or the images themselves (for comparison)."})
    String shuffleState;

    @Option(names = "--epochs", defaultValue = "3", description = {"Epochs of the raw topic the timed job replays "
        + "(default ${DEFAULT-VALUE}); above 1, the rate is that of the epochs after the first",
        "(steady state), and the first epoch's is printed beside it."})
    int epochs;

    @Option(names = "--decode-seconds", defaultValue = "5",
        description = "Seconds of bare decoding measured before and after the job (default ${DEFAULT-VALUE}).")
    int decodeSeconds;

    @Mixin
    BrokerOption broker = new BrokerOption();

    @Override
    public Integer call() throws Exception {
      int p = parallelism != null ? parallelism : Runtime.getRuntime().availableProcessors();
      Path work = Files.createTempDirectory("mnpipe-bench-preprocess-");
      Path tree = images;
      if (tree == null) {
        if (generate < 20) {
          throw new IllegalArgumentException("--generate must be at least 20, got " + generate);
        }
        tree = work.resolve("imagenet");
        System.err.printf("generating %d ImageNet-like photos in %s...%n", generate, tree);
        SyntheticImageNet.write(tree, 10, generate / 10, 0, 0, 1);
      }
      if (!List.of("references", "images").contains(shuffleState)) {
        throw new IllegalArgumentException("--shuffle-state must be references or images, got '" + shuffleState + "'");
      }
      var config = new PreprocessBenchmark.Config(tree, size, p, shuffleBufferBytes, work.resolve("checkpoints"),
          checkpointInterval, decodeSeconds, "images".equals(shuffleState), epochs);
      try {
        broker.run(kafka -> print(new PreprocessBenchmark(kafka, config).run()));
      } finally {
        deleteTree(work); // the generated photos (~110 KB each) and the job's checkpoints
      }
      return 0;
    }

    private static double share(double v) {
      return Math.round(v * 1000) / 1000.0;
    }

    private void print(PreprocessBenchmark.Result r) throws Exception {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("benchmark", "preprocess");
      out.put("images", r.images());
      out.put("mean_bytes", r.meanBytes());
      out.put("size", size);
      out.put("parallelism", r.parallelism());
      out.put("decoder", r.decoder());
      out.put("shuffle_state", shuffleState);
      out.put("checkpoint_interval_ms", checkpointInterval.toMillis());
      out.put("epochs", r.epochs());
      out.put("samples_topic_end_offsets", r.samples()); // samples plus a few transaction markers
      out.put("images_per_s", Math.round(r.imagesPerS() * 10) / 10.0);
      out.put("first_epoch_images_per_s", Math.round(r.firstEpochImagesPerS() * 10) / 10.0);
      out.put("decode_only_images_per_s", Math.round(r.decodeOnlyImagesPerS() * 10) / 10.0);
      out.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
      out.put("ratio_broker_elsewhere", Math.round(r.ratioBrokerElsewhere() * 1000) / 1000.0);
      out.put("cpu_share", Map.of("tasks", share(r.cpu().tasks()), "broker", share(r.cpu().broker()),
          "jvm_jit_gc", share(r.cpu().jvm()), "other", share(r.cpu().other())));
      out.put("job_seconds", Math.round(r.jobSeconds() * 10) / 10.0);
      out.put("checkpoints", r.checkpoints());
      out.put("checkpoints_failed", r.checkpointsFailed());
      out.put("checkpoint_bytes_max", r.checkpointBytesMax());
      out.put("checkpoint_ms_max", r.checkpointMsMax());
      out.put("restarts", r.restarts());
      if (broker.json) {
        printJson(out);
      } else {
        System.out.printf("preprocess job %.0f images/s, bare decode + augment %.0f images/s (%d cores, %s): ratio %.3f;"
            + " largest checkpoint %.1f MB in %d ms, %d failed, %d restarts%n", r.imagesPerS(), r.decodeOnlyImagesPerS(),
            r.parallelism(), r.decoder(), r.ratio(), r.checkpointBytesMax() / 1e6, r.checkpointMsMax(),
            r.checkpointsFailed(), r.restarts());
      }
    }
  }

  /** Decode + train augmentation on one core against full-size decode of the same files. */
  @Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Single-threaded: decode + train preset (RandomResizedCrop + flip) over the images in a",
          "directory, against full-size libjpeg-turbo decode of the same files, in one run."})
  static final class Decode implements Callable<Integer> {
    @Option(names = "--images", paramLabel = "DIR",
        description = "Directory (any tree) of .jpg/.jpeg/.png files, e.g. ImageNet's val/.")
    Path images;

    @Option(names = "--generate", paramLabel = "N",
        description = "Without --images: generate N ImageNet-like photos (~500x375, ~110 KB) in a temp dir.")
    int generate;

    @Option(names = "--size", defaultValue = "224", description = "Train crop size (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "3", description = "Warm-up seconds (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--max-images", defaultValue = "5000", description = "Load at most this many files.")
    int maxImages;

    @Mixin
    JsonOption output = new JsonOption();

    @Override
    public Integer call() throws Exception {
      Path dir = images;
      if (dir == null) {
        if (generate < 1) {
          throw new IllegalArgumentException("give --images DIR, or --generate N for synthetic photos");
        }
        dir = Files.createTempDirectory("mnpipe-bench-photos-");
        DecodeBenchmark.generate(dir, generate, 1);
      } else if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--images " + dir + " is not a directory");
      }
      DecodeBenchmark.Result r;
      try {
        r = DecodeBenchmark.run(new DecodeBenchmark.Config(dir, size, Duration.ofSeconds(warmup),
            Duration.ofSeconds(seconds), maxImages, true));
      } finally {
        if (images == null) {
          deleteTree(dir);
        }
      }
      if (output.json) {
        System.out.println(r.toJson());
      } else {
        System.out.printf("decode+augment %.0f images/s, full-size decode %.0f images/s (one core, %s): ratio %.2f%n",
            r.imagesPerS(), r.decodeImagesPerS(), r.decoder(), r.ratio());
      }
      return 0;
    }
  }

  /** Training fed from Kafka through the trainer's consumer path against the same batches in memory. */
  @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Trains one model on batches read from a Kafka topic through the trainer's own consumer"
          + " path (one consumer for the run, prefetching loader), and on the same batches held in memory, in"
          + " alternating rounds on one trainer. Prints images/s of both and their ratio (target >= 0.95: the"
          + " input never starves training), the loader's CPU share and the consumer's time to first batch.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "mobilenet_v2_100", description = "Model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--image-size", defaultValue = "64", description = "Sample side in pixels (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--batch-size", defaultValue = "32", description = "Samples per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--steps", defaultValue = "20", description = "Steps per round (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup-steps", defaultValue = "10",
        description = "Untimed steps from memory first, before untimed ones from Kafka (default ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(names = "--rounds", defaultValue = "15",
        description = "Rounds from Kafka, each between two from memory; the ratio is the median of theirs"
            + " (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--partitions", defaultValue = "8", description = "Partitions of the topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Mixin
    BrokerOption broker = new BrokerOption();

    @Override
    public Integer call() throws Exception {
      if (!io.mnpipe.models.MobileNets.exists(model)) {
        throw new IllegalArgumentException("unknown model '" + model + "'; known: "
            + String.join(", ", io.mnpipe.models.MobileNets.names()));
      }
      var config = new TrainBenchmark.Config(model, imageSize, batchSize, steps, warmupSteps, rounds, partitions);
      broker.run(kafka -> {
        TrainBenchmark.Result r = new TrainBenchmark(kafka, config).run();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "train");
        out.put("model", r.model());
        out.put("image_size", r.imageSize());
        out.put("batch_size", r.batchSize());
        out.put("images_per_round", r.imagesPerRound());
        out.put("rounds", r.rounds());
        out.put("device", r.device());
        out.put("pipeline_images_per_s", Math.round(r.pipelineImagesPerSecond() * 10) / 10.0);
        out.put("memory_images_per_s", Math.round(r.memoryImagesPerSecond() * 10) / 10.0);
        out.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
        out.put("mean_ratio", Math.round(java.util.Arrays.stream(r.roundRatios()).average().orElse(0) * 1000) / 1000.0);
        out.put("round_ratios", java.util.Arrays.stream(r.roundRatios()).map(x -> Math.round(x * 1000) / 1000.0)
            .toArray());
        out.put("data_wait", Math.round(r.dataWait() * 1000) / 1000.0);
        out.put("loader_cpu", Math.round(r.loaderCpu() * 1000) / 1000.0);
        out.put("first_batch_ms", Math.round(r.firstBatchMillis()));
        if (broker.json) {
          printJson(out);
        } else {
          System.out.printf("train %s %dx%d batch %d on %s: from Kafka %.1f img/s, from memory %.1f img/s, ratio %.3f"
              + " (data wait %.1f%%, loader cpu %.1f%%; first batch %.0f ms after the consumer's start)%n", r.model(),
              r.imageSize(), r.imageSize(), r.batchSize(), r.device(), r.pipelineImagesPerSecond(),
              r.memoryImagesPerSecond(), r.ratio(), 100 * r.dataWait(), 100 * r.loaderCpu(), r.firstBatchMillis());
        }
      });
      return 0;
    }
  }

  /** mnpipe against PyTorch + torchvision on the same machine, case by case, rounds alternating. */
  @Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Runs each case on both sides in one run, rounds alternating, PyTorch first",
          "and last:",
          "  train  ModelTrainer.step against torchvision's model in eager mode (SGD",
          "         momentum, label smoothing 0.1), the same random batches in memory;",
          "  eval   the evaluator's forward pass against the model under no_grad();",
          "  data   the preprocess Flink job (parallelism = cores, raw topic to samples",
          "         topic; publishing not timed) against ImageFolder + RandomResizedCrop",
          "         + flip + ToTensor in a DataLoader with as many workers, same JPEGs.",
          "Same model (parameter counts checked equal), batch, size and threads. Prints",
          "per case mnpipe_images_per_s, pytorch_images_per_s and their ratio (the",
          "median of the per-round ratios). Needs python3 with torch and torchvision:",
          "apt-get install python3-torch python3-torchvision python3-pil (Debian)."})
  static final class Compare implements Callable<Integer> {
    static final String DEFAULT_CASES = "data:224:64,train:mobilenet_v2_100:224:32,train:mobilenet_v2_100:64:64,"
        + "train:mobilenet_v3_large_100:224:32,train:mobilenet_v3_large_100:64:64,"
        + "train:mobilenet_v3_small_100:224:32,eval:mobilenet_v2_100:224:64";

    @Option(names = "--cases", defaultValue = DEFAULT_CASES, split = ",", paramLabel = "CASE",
        description = {"train:MODEL:SIZE:BATCH, eval:MODEL:SIZE:BATCH or data:SIZE:BATCH, comma-separated",
            "(default: ${DEFAULT-VALUE})."})
    List<String> cases;

    @Option(names = "--rounds", defaultValue = "3",
        description = "Rounds of ours per case; PyTorch runs one more, around them (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--round-seconds", defaultValue = "8",
        description = "About how long a train or eval round lasts, from our warm-up pace (default ${DEFAULT-VALUE}).")
    double roundSeconds;

    @Option(names = "--steps", defaultValue = "0",
        description = "Steps per train or eval round instead (default: --round-seconds' worth).")
    int steps;

    @Option(names = "--images", paramLabel = "DIR",
        description = "An ImageNet-layout tree (DIR/train/<wnid>/*.JPEG) for the data case, e.g. ImageNet itself.")
    Path images;

    @Option(names = "--generate", defaultValue = "3000", paramLabel = "N",
        description = "Without --images: generate N ImageNet-like photos in 10 classes (default ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = "--parallelism", description = "The job's parallelism and the DataLoader's workers (default: cores).")
    Integer parallelism;

    @Option(names = "--threads", description = "libtorch intra-op threads on both sides (default: cores).")
    Integer threads;

    @Option(names = "--python", paramLabel = "PATH",
        description = "Python with torch and torchvision (default: /usr/bin/python3 where it exists, else python3).")
    Path python;

    @Option(names = "--peer-script", paramLabel = "PATH",
        description = "The peer's script (default: bench/pytorch/peer.py of this checkout).")
    Path script;

    @Mixin
    BrokerOption broker = new BrokerOption();

    @Override
    public Integer call() throws Exception {
      List<PeerComparison.Case> parsed = cases.stream().map(PeerComparison.Case::parse).toList();
      int cores = Runtime.getRuntime().availableProcessors();
      Path py = python != null ? python
          : Files.isExecutable(Path.of("/usr/bin/python3")) ? Path.of("/usr/bin/python3") : Path.of("python3");
      Path peer = script != null ? script
          : Path.of(System.getProperty("mnpipe.home", "."), "bench", "pytorch", "peer.py");
      if (!Files.isRegularFile(peer)) {
        throw new IllegalArgumentException("no peer script at " + peer + "; give --peer-script");
      }
      checkTorch(py);
      Path work = Files.createTempDirectory("mnpipe-bench-compare-");
      boolean data = parsed.stream().anyMatch(c -> c.kind() == PeerComparison.Kind.DATA);
      Path tree = images;
      if (data && tree == null) {
        if (generate < 20) {
          throw new IllegalArgumentException("--generate must be at least 20, got " + generate);
        }
        tree = work.resolve("imagenet");
        System.err.printf("generating %d ImageNet-like photos in %s...%n", generate, tree);
        SyntheticImageNet.write(tree, 10, generate / 10, 0, 0, 1);
      }
      var config = new PeerComparison.Config(parsed, rounds, roundSeconds, steps, tree,
          parallelism != null ? parallelism : cores, threads != null ? threads : cores, py, peer, work);
      List<PeerComparison.CaseResult> results;
      try {
        if (data) {
          List<List<PeerComparison.CaseResult>> holder = new java.util.ArrayList<>();
          broker.run(kafka -> holder.add(new PeerComparison(config, kafka).run()));
          results = holder.get(0);
        } else {
          results = new PeerComparison(config, null).run();
        }
      } finally {
        deleteTree(work);
      }
      print(results, config);
      return 0;
    }

    /** Fails in one line, naming the packages, when the interpreter lacks torch or torchvision. */
    private static void checkTorch(Path py) throws Exception {
      Process p;
      try {
        p = new ProcessBuilder(py.toString(), "-c", "import torch, torchvision, PIL").redirectErrorStream(true).start();
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("cannot run " + py + " (" + e.getMessage() + "); give --python");
      }
      String outText = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        String[] lines = outText.strip().split("\n");
        throw new IllegalArgumentException(py + " cannot import torch, torchvision and PIL (" + lines[lines.length - 1]
            + "); on Debian: apt-get install python3-torch python3-torchvision python3-pil, or give --python");
      }
    }

    private void print(List<PeerComparison.CaseResult> results, PeerComparison.Config config) throws Exception {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("benchmark", "compare");
      out.put("cores", Runtime.getRuntime().availableProcessors());
      out.put("threads", config.threads());
      out.put("parallelism", config.parallelism());
      out.put("rounds", config.rounds());
      out.put("ld_preload", System.getenv().getOrDefault("LD_PRELOAD", ""));
      List<Map<String, Object>> rows = new java.util.ArrayList<>();
      for (PeerComparison.CaseResult r : results) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("case", r.spec().name());
        row.put("kind", r.spec().kind().name().toLowerCase());
        if (r.spec().kind() != PeerComparison.Kind.DATA) {
          row.put("model", r.spec().model());
          row.put("params", r.mnpipeParams());
          row.put("pytorch_params", r.pytorchParams());
          row.put("steps_per_round", r.steps());
        }
        row.put("size", r.spec().size());
        row.put("batch", r.spec().batch());
        row.put("mnpipe_images_per_s", Math.round(r.mnpipeImagesPerS() * 100) / 100.0);
        row.put("pytorch_images_per_s", Math.round(r.pytorchImagesPerS() * 100) / 100.0);
        row.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
        row.put("round_ratios", java.util.Arrays.stream(r.roundRatios()).map(x -> Math.round(x * 1000) / 1000.0)
            .toArray());
        row.put("pytorch", r.pytorchVersion());
        rows.add(row);
      }
      out.put("cases", rows);
      if (broker.json) {
        printJson(out);
      } else {
        for (PeerComparison.CaseResult r : results) {
          System.out.printf("%-36s mnpipe %8.1f img/s   PyTorch %8.1f img/s   ratio %.3f%n", r.spec().name(),
              r.mnpipeImagesPerS(), r.pytorchImagesPerS(), r.ratio());
        }
      }
    }
  }

  /** Removes a benchmark's temporary folder: generated photos are ~110 KB each, and /tmp is often small. */
  static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }
}
