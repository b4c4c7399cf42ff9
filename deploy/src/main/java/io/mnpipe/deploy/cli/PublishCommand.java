package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.local.MetricsEndpoint;
import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.publish.PublishReport;
import io.mnpipe.ingest.source.ClassLists;
import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.DatasetSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline publish}: a dataset on disk in, a resumable split of Avro records on Kafka out. */
// No mixinStandardHelpOptions: its --version would clash with the dataset's --version, and picocli then
// loses --help too (it reported the missing required options instead).
@Command(name = "publish", sortOptions = false,
    description = {"Publishes one split of a dataset to Kafka as Avro RawImage records, with a manifest on",
        "the datasets topic. Run the same command again after an interruption: it resumes, without",
        "duplicates or gaps. Refused inputs go to <topic>.rejected with their reason."})
public final class PublishCommand implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--source", required = true, paramLabel = "KIND:PATH",
      description = "imagenet:DIR | wds:GLOB | cifar10:DIR | fashion-mnist:DIR | synthetic")
  String source;

  @Option(names = "--dataset", description = "Dataset name for topics and manifest (default: from the kind).")
  String dataset;

  @Option(names = "--version", defaultValue = "v1", description = "Dataset version (default ${DEFAULT-VALUE}).")
  String version;

  @Option(names = "--split", defaultValue = "train", description = "train or val (default ${DEFAULT-VALUE}).")
  String split;

  @Mixin
  KafkaOptions kafka;

  @Option(names = "--partitions", defaultValue = "8", description = "Partitions of a new topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--topic", description = "Topic to publish to (default mnpipe.images.<dataset>.<version>.<split>).")
  String topic;

  @Option(names = "--classes-file", paramLabel = "FILE",
      description = "wds only: class names in label order, one per line (e.g. ImageNet wnids).")
  Path classesFile;

  @Option(names = "--max-image-bytes", defaultValue = "10485760",
      description = "Refuse images larger than this (default 10 MiB).")
  long maxImageBytes;

  @Option(names = "--checkpoint-every", defaultValue = "5000",
      description = "Record a resume point every N samples (default ${DEFAULT-VALUE}); each one waits for in-flight sends.")
  int checkpointEvery;

  @Option(names = "--strict", description = "Exit with code 3 if any input was rejected.")
  boolean strict;

  @Option(names = "--metrics-host", defaultValue = "127.0.0.1",
      description = "Address of the Prometheus endpoint while publishing (default ${DEFAULT-VALUE}).")
  String metricsHost;

  @Option(names = "--metrics-port", defaultValue = "9467",
      description = "Prometheus endpoint port (default ${DEFAULT-VALUE}; 0 = any free one; -1 = none).")
  int metricsPort;

  @Override
  public Integer call() throws Exception {
    if (!"train".equals(split) && !"val".equals(split)) {
      throw new IllegalArgumentException("--split must be train or val, got '" + split + "'");
    }
    List<String> classes = classesFile == null ? null : ClassLists.read(classesFile);
    DatasetSource src = DatasetSources.open(source, dataset, classes);
    var publisher = new DatasetPublisher(kafka.connect(),
        new DatasetPublisher.Config(version, partitions, maxImageBytes, Duration.ofSeconds(5), checkpointEvery));
    var target = topic == null ? publisher.defaultTopic(src, split) : publisher.defaultTopic(src, split).named(topic);
    PublishReport r;
    try (MetricsEndpoint metrics = metrics()) {
      r = publisher.publish(src, split, target);
    }
    System.out.printf("published %s/%s to %s: %d records (%d from an earlier run), %.1f MB, %d rejected, %.1f s"
        + " (%.0f rec/s, %.1f MB/s)%n", src.name(), split, r.topic(), r.published(), r.resumed(), r.bytes() / 1e6,
        r.rejected().size(), r.seconds(), r.recordsPerSecond(), r.megabytesPerSecond());
    r.rejected().stream().limit(20).forEach(x -> System.out.println("  rejected " + x));
    if (r.rejected().size() > 20) {
      System.out.printf("  ... and %d more: see topic %s.rejected%n", r.rejected().size() - 20, r.topic());
    }
    return strict && !r.rejected().isEmpty() ? 3 : 0;
  }

  /** The endpoint, or null: a batch job does not fail because a second one holds the port. */
  private MetricsEndpoint metrics() {
    if (metricsPort < 0) {
      return null;
    }
    try {
      MetricsEndpoint m = new MetricsEndpoint(metricsHost, metricsPort);
      System.err.println("metrics on " + m.url());
      return m;
    } catch (java.io.UncheckedIOException e) {
      System.err.println("warning: " + e.getMessage() + "; publishing without a metrics endpoint");
      return null;
    }
  }

}
