package io.mnpipe.deploy.local;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The default Prometheus registry out, over HTTP; on 127.0.0.1 by default (loopback: the endpoint has no auth). */
public final class MetricsEndpoint implements AutoCloseable {
  private final HTTPServer server;
  private final String host;

  public MetricsEndpoint(String host, int port) {
    this.host = host;
    try {
      this.server = HTTPServer.builder().hostname(host).port(port).buildAndStart();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port
          + " (port in use? pick another with --metrics-port)", e);
    }
  }

  public int port() {
    return server.getPort();
  }

  public String url() {
    return "http://" + host + ":" + port() + "/metrics";
  }

  @Override
  public void close() {
    server.stop();
  }
}
