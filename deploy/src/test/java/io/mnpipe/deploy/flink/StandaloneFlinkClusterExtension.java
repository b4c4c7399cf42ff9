package io.mnpipe.deploy.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension that hands tests a {@link StandaloneFlinkCluster}, one per test JVM, started
 * in a fresh directory under target/ and stopped at the end; when a test fails it prints the
 * tails of the cluster's logs (the whole files stay in that directory).
 *
 * <pre>{@code @ExtendWith(StandaloneFlinkClusterExtension.class)
 * class MyIT { @Test void t(StandaloneFlinkCluster flink) {...} } }</pre>
 */
public final class StandaloneFlinkClusterExtension implements ParameterResolver, TestWatcher {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StandaloneFlinkCluster.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == StandaloneFlinkCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return c.getRoot().getStore(NS).getOrComputeIfAbsent("cluster", k -> startInTarget(), Running.class).cluster();
  }

  @Override
  public void testFailed(ExtensionContext c, Throwable cause) {
    Running r = c.getRoot().getStore(NS).get("cluster", Running.class);
    if (r != null) {
      System.err.println("Flink cluster logs after the failure of " + c.getDisplayName() + ":\n"
          + r.cluster().logTails());
    }
  }

  private static Running startInTarget() {
    try {
      Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "flink-cluster-");
      return new Running(StandaloneFlinkCluster.start(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Running(StandaloneFlinkCluster cluster) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      cluster.close();
    }
  }
}
