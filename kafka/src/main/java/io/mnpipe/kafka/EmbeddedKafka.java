package io.mnpipe.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, on
 * loopback: what {@code ./pipeline local} and the integration tests run against.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path dataDir;
  private final boolean deleteOnClose;
  private final int port;
  private final int controllerPort;
  private final Map<String, String> overrides;
  private KafkaRaftServer server;

  private EmbeddedKafka(Path dataDir, boolean deleteOnClose, int port, int controllerPort,
      Map<String, String> overrides) {
    this.overrides = Map.copyOf(overrides);
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /** Formats a fresh log directory under {@code dataDir} and starts a broker on free ports. */
  public static EmbeddedKafka start(Path dataDir, boolean deleteOnClose) {
    return start(dataDir, deleteOnClose, Map.of());
  }

  /** As {@link #start(Path, boolean)}, with broker settings that replace the defaults (tests of misconfigured brokers). */
  public static EmbeddedKafka start(Path dataDir, boolean deleteOnClose, Map<String, String> overrides) {
    EmbeddedKafka k = new EmbeddedKafka(dataDir, deleteOnClose, freePort(), freePort(), overrides);
    k.format();
    k.startServer();
    return k;
  }

  /** A broker in a temporary directory that is deleted on close. */
  public static EmbeddedKafka startTemporary() {
    try {
      return start(Files.createTempDirectory("mnpipe-kafka-"), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  public KafkaSettings settings() {
    return new KafkaSettings(bootstrap());
  }

  /** Stops the broker and starts it again on the same port and data: a broker restart. */
  public void restart() {
    stopServer();
    startServer();
  }

  private Properties config() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dataDir.resolve("logs").toString());
    p.put("num.partitions", "4");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("message.max.bytes", String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
    p.put("replica.fetch.max.bytes", String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
    // Flink's exactly-once sink keeps transactions open across checkpoints.
    p.put("transaction.max.timeout.ms", "3600000");
    p.put("auto.create.topics.enable", "false");
    p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    p.put("log.segment.bytes", String.valueOf(256 * 1024 * 1024));
    // Deleted topics free their disk (or tmpfs) within a second, not the default minute.
    p.put("log.segment.delete.delay.ms", "1000");
    // Records deleted below the trainers' checkpoints (SampleRetention) leave the disk within seconds:
    // the retention check is what drops the segments below a partition's new start offset.
    p.put("log.retention.check.interval.ms", "2000");
    p.put("log.initial.task.delay.ms", "2000"); // the first check, else 30 s after the start
    p.putAll(overrides);
    return p;
  }

  private void format() {
    try {
      Files.createDirectories(dataDir);
      Path file = dataDir.resolve("server.properties");
      try (var out = Files.newOutputStream(file)) {
        config().store(out, "mnpipe embedded broker");
      }
      String clusterId = Uuid.randomUuid().toString();
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", file.toString()}, quiet);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  private void startServer() {
    server = new KafkaRaftServer(new KafkaConfig(config(), false), Time.SYSTEM);
    server.startup();
    LOG.info("embedded Kafka broker listening on {} (data in {})", bootstrap(), dataDir);
  }

  private void stopServer() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  @Override
  public void close() {
    stopServer();
    if (deleteOnClose) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        LOG.warn("could not delete {}: {}", dataDir, e.toString());
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on loopback", e);
    }
  }
}
