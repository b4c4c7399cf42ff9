package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.local.MetricsEndpoint;
import picocli.CommandLine.Option;

/**
 * Where a long-running service serves its Prometheus metrics. Each service has its own default
 * port (trainer 9465, evaluator 9466; the local stack 9464), so that they can share a host.
 */
public final class MetricsOptions {
  @Option(names = "--metrics-host", defaultValue = "127.0.0.1",
      description = "Address of the Prometheus endpoint (default ${DEFAULT-VALUE}; 0.0.0.0 in a container).")
  String host;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Prometheus endpoint port (default: train 9465, evaluate 9466; 0 = any free port).")
  Integer port;

  /** The endpoint, on {@code --metrics-port} or else this service's {@code defaultPort}. */
  MetricsEndpoint open(int defaultPort) {
    return new MetricsEndpoint(host, port != null ? port : defaultPort);
  }
}
