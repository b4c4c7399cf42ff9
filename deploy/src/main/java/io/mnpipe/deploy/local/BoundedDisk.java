package io.mnpipe.deploy.local;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.OffsetSpec;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While a local run trains: once a second, measures the embedded broker's log segments (all
 * topics), keeping the peak for the run summary (the figure that shows the disk stays bounded).
 * The preprocess job deletes the samples every trainer has checkpointed past (FlowControl); at the
 * end this says how many that was (the partitions' start offsets).
 */
final class BoundedDisk implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BoundedDisk.class);

  private final TopicAdmin admin;
  private final String topic;
  private final int partitions;
  private final Path brokerDir;
  private final AtomicLong peak = new AtomicLong(-1);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mnpipe-bounded-disk");
    t.setDaemon(true);
    return t;
  });
  private volatile Map<String, Long> peakByTopic = Map.of();

  /** @param brokerDir the embedded broker's data folder, or null for an external cluster (no disk figure) */
  BoundedDisk(KafkaSettings kafka, String topic, int partitions, Path brokerDir) {
    this.admin = new TopicAdmin(kafka);
    this.topic = topic;
    this.partitions = partitions;
    this.brokerDir = brokerDir;
  }

  BoundedDisk start() {
    timer.scheduleWithFixedDelay(this::measure, 1, 1, TimeUnit.SECONDS);
    return this;
  }

  private synchronized void measure() {
    if (brokerDir == null) {
      return;
    }
    Map<String, Long> byTopic = sizes(brokerDir);
    long total = byTopic.values().stream().mapToLong(Long::longValue).sum();
    if (total > peak.get()) {
      peak.set(total);
      peakByTopic = byTopic;
    }
  }

  /** Bytes of segment data per topic (partitions summed). */
  private static Map<String, Long> sizes(Path dir) {
    Map<String, Long> byTopic = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      // Segment data only: Kafka preallocates its index files sparse, 10 MB each, mostly holes.
      files.filter(f -> f.toString().endsWith(".log") && Files.isRegularFile(f)).forEach(f -> {
        String partitionDir = f.getParent().getFileName().toString();
        String topic = partitionDir.replaceFirst("-\\d+$", "");
        try {
          byTopic.merge(topic, Files.size(f), Long::sum);
        } catch (IOException e) {
          // a segment deleted while we walked
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return Map.of();
    }
    return byTopic;
  }

  /** The largest size of the broker's data folder seen, in bytes; -1 for an external cluster. */
  long peakBytes() {
    return peak.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    measure();
    StringBuilder topics = new StringBuilder();
    peakByTopic.forEach((t, b) -> topics.append(topics.length() == 0 ? "" : ", ").append(t).append(' ')
        .append(String.format("%.1f", b / 1e6)));
    long deleted = -1;
    try {
      deleted = TopicAdmin.offsets(admin.admin(), topic, partitions, OffsetSpec.earliest(), Duration.ofSeconds(10))
          .values().stream().mapToLong(Long::longValue).sum();
    } catch (RuntimeException e) {
      LOG.debug("cannot read the start offsets of {}: {}", topic, e.toString());
    }
    LOG.info("{}: {} trained records deleted during the run; broker data peaked at {} MB ({})", topic, deleted,
        String.format("%.1f", peak.get() / 1e6), topics);
    admin.close();
  }
}
