package io.mnpipe.kafka;

import java.util.logging.Logger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * JUnit 5 extension that hands tests a real Kafka broker, shared by every test class of a test
 * JVM: a Testcontainers {@link KafkaContainer} where a Docker engine answers, else the in-process
 * {@link EmbeddedKafka}. Set {@code -Dmnpipe.kafka=embedded} to skip the Docker probe.
 *
 * <pre>{@code @ExtendWith(KafkaBroker.class) class MyIT { @Test void t(KafkaSettings kafka) {...} } }</pre>
 */
public final class KafkaBroker implements ParameterResolver {
  private static final Logger LOG = Logger.getLogger(KafkaBroker.class.getName());
  /** The container image of the same Kafka version as the embedded broker. */
  public static final String IMAGE = "apache/kafka:4.2.0";

  /** A running broker: its client settings, and a restart that keeps its data and port. */
  public interface Handle extends ExtensionContext.Store.CloseableResource {
    KafkaSettings settings();

    void restart();
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    Class<?> t = p.getParameter().getType();
    return t == KafkaSettings.class || t == Handle.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    Handle h = c.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent("mnpipe.kafka", k -> startBroker(), Handle.class);
    return p.getParameter().getType() == Handle.class ? h : h.settings();
  }

  static Handle startBroker() {
    if (!"embedded".equals(System.getProperty("mnpipe.kafka")) && dockerAvailable()) {
      KafkaContainer container = new KafkaContainer(IMAGE)
          .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
      container.start();
      LOG.info("tests use Kafka container at " + container.getBootstrapServers());
      return new Handle() {
        public KafkaSettings settings() {
          return new KafkaSettings(container.getBootstrapServers());
        }

        public void restart() {
          throw new UnsupportedOperationException("restart needs the embedded broker (-Dmnpipe.kafka=embedded)");
        }

        public void close() {
          container.stop();
        }
      };
    }
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    return new Handle() {
      public KafkaSettings settings() {
        return kafka.settings();
      }

      public void restart() {
        kafka.restart();
      }

      public void close() {
        kafka.close();
      }
    };
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }
}
