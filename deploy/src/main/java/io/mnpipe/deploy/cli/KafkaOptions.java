package io.mnpipe.deploy.cli;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The Kafka options every command that talks to a cluster shares: bootstrap and client settings. */
public final class KafkaOptions {
  @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers, host:port[,host:port].")
  String bootstrap;

  @Option(names = "--client-config", paramLabel = "FILE",
      description = "Properties file of extra Kafka client settings (SASL/SSL, timeouts), passed to every client.")
  Path clientConfig;

  /** The settings, after checking that a broker answers. */
  KafkaSettings connect() throws IOException {
    KafkaSettings settings = new KafkaSettings(bootstrap, read(clientConfig));
    try (TopicAdmin admin = new TopicAdmin(settings)) {
      admin.checkReachable(Duration.ofSeconds(15));
    }
    return settings;
  }

  static Map<String, String> read(Path file) throws IOException {
    Map<String, String> m = new HashMap<>();
    if (file == null) {
      return m;
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--client-config " + file + " is not a readable file");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    p.forEach((k, v) -> m.put((String) k, (String) v));
    return m;
  }
}
