package io.mnpipe.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.schemas.kafka.BoundedReader;
import io.mnpipe.schemas.kafka.KafkaSettings;
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

/** {@code pipeline datasets list}: the compacted datasets topic in, a table of published splits out. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Datasets published to a cluster.",
    subcommands = {DatasetsCommand.ListCommand.class})
public final class DatasetsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
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
