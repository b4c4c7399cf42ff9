package io.mnpipe.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DatasetManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline datasets list}: the compacted datasets topic in, a table of published splits out. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "Datasets published to a cluster, and generated ones for trying things at ImageNet file sizes.",
    subcommands = {DatasetsCommand.ListCommand.class, DatasetsCommand.Generate.class})
public final class DatasetsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Writes a synthetic ImageNet-layout tree. */
  @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Writes an ILSVRC2012-layout tree (DIR/train/<wnid>/*.JPEG, DIR/val/<wnid>/*.JPEG) of generated",
          "photo-like JPEGs (~500x375, ~110 KB, as bench decode uses), plus broken files in train: truncated",
          "JPEGs (dead-lettered by preprocess) and files that are no image (refused by ingest).",
          "Publish it with --source imagenet:DIR or run ./pipeline local --dataset imagenet:DIR."})
  static final class Generate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory to write (created).")
    java.nio.file.Path dir;

    @Option(names = "--classes", defaultValue = "10", description = "Classes (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--train-per-class", defaultValue = "500", description = "Train images per class (default ${DEFAULT-VALUE}).")
    int trainPerClass;

    @Option(names = "--val-per-class", defaultValue = "20", description = "Val images per class (default ${DEFAULT-VALUE}).")
    int valPerClass;

    @Option(names = "--broken", defaultValue = "6", description = "Broken files in train (default ${DEFAULT-VALUE}).")
    int broken;

    @Option(names = "--seed", defaultValue = "1", description = "Seed; the same seed writes the same files.")
    long seed;

    @Override
    public Integer call() throws Exception {
      System.out.printf("writing %d train + %d val photos in %d classes, %d broken files, to %s ...%n",
          classes * trainPerClass, classes * valPerClass, classes, broken, dir);
      long t0 = System.nanoTime();
      var tree = io.mnpipe.preprocess.bench.SyntheticImageNet.write(dir, classes, trainPerClass, valPerClass, broken,
          seed);
      System.out.printf("wrote %s: %d train, %d val, %d truncated JPEGs, %d non-images in %.0f s%n", tree.root(),
          tree.train(), tree.val(), tree.truncated(), tree.notImages(), (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }

  /** Lists every split's latest manifest. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists published dataset splits.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      List<DatasetManifest> manifests = latest(kafka.connect());
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DatasetManifest m : manifests) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", m.getName());
          row.put("version", m.getVersion());
          row.put("split", m.getSplit());
          row.put("topic", m.getTopic());
          row.put("classes", m.getClassNames().size());
          row.put("records", m.getTotal());
          row.put("bytes", m.getBytes());
          row.put("rejected", m.getRejected());
          row.put("source", m.getSource());
          row.put("time", m.getTime().toString());
          rows.add(row);
        }
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        return 0;
      }
      if (manifests.isEmpty()) {
        System.out.println("no datasets published yet (topic " + Topics.DATASETS + " is empty)");
        return 0;
      }
      String fmt = "%-20s %-10s %-5s %8s %9s %10s %8s  %s%n";
      System.out.printf(fmt, "NAME", "VERSION", "SPLIT", "CLASSES", "RECORDS", "MB", "REJECTED", "TOPIC");
      for (DatasetManifest m : manifests) {
        System.out.printf(fmt, m.getName(), m.getVersion(), m.getSplit(), m.getClassNames().size(), m.getTotal(),
            String.format("%.1f", m.getBytes() / 1e6), m.getRejected(), m.getTopic());
      }
      return 0;
    }
  }

  /** The last manifest per name/version/split key, sorted by key. */
  static List<DatasetManifest> latest(KafkaSettings kafka) {
    Topic<String, DatasetManifest> t = Topics.datasets();
    Map<String, DatasetManifest> byKey = new TreeMap<>();
    try {
      BoundedReader.read(kafka, t.name(), null, t.keySerde().deserializer(), t.valueSerde().deserializer(),
          r -> byKey.put(r.key(), r.value()), Duration.ofMinutes(1));
    } catch (IllegalStateException e) {
      if (!String.valueOf(e.getMessage()).contains("does not exist")) {
        throw e;
      }
    }
    return new ArrayList<>(byKey.values());
  }
}
