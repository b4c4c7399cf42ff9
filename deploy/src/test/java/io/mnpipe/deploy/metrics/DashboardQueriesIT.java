package io.mnpipe.deploy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnpipe.deploy.local.LocalConfig;
import io.mnpipe.deploy.local.LocalPipeline;
import io.mnpipe.ingest.source.SyntheticDataset;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's package, on loopback) scrapes a short {@code pipeline local}
 * run, trainer, evaluator, ingest and Flink's reporter; then every PromQL expression of the Grafana
 * dashboard is run against its HTTP API over the run's time range, and each must return data.
 */
class DashboardQueriesIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void everyDashboardQueryReturnsDataFromARealRun(@TempDir Path dir) throws Exception {
    assertTrue(Files.isExecutable(PROMETHEUS), "needs Debian's prometheus package (apt-get install prometheus;"
        + " .ci/run installs it)");
    int metricsPort = freePort();
    int flinkPort = freePort();
    int promPort = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global: {scrape_interval: 500ms}
        scrape_configs:
          - job_name: mnpipe-local
            static_configs: [{targets: ["127.0.0.1:%d"]}]
          - job_name: flink
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """.formatted(metricsPort, flinkPort));
    Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      String api = "http://127.0.0.1:" + promPort;
      waitReady(api, prometheus);
      long start = System.currentTimeMillis() / 1000 - 5;
      // Three epochs of 3,000 images: Flink's task metrics exist only while the job runs, and rate() needs
      // two scrapes of them (every 500 ms here). Two epochs of 1,200 images at 1 s scrapes once had too few.
      var local = new LocalConfig("synthetic", new SyntheticDataset.Config(3, 1000, 20, 2, 5), "mobilenet_v1_025", 3,
          32, 32, 0.01, 4e-5, 5, null, dir.resolve("run"), metricsPort, 2, 5, flinkPort, 2, 64L << 20, 3, false, null, 0);
      new LocalPipeline(local).run();
      Thread.sleep(3000); // a last scrape or two after the run
      long end = System.currentTimeMillis() / 1000 + 1;

      JsonNode dash = new ObjectMapper().readTree(Path.of("grafana/dashboards/mnpipe.json").toFile());
      List<String> empty = new ArrayList<>();
      int queries = 0;
      for (JsonNode panel : dash.path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          String expr = target.path("expr").asText();
          queries++;
          JsonNode r = query(api, expr, start, end);
          assertEquals("success", r.path("status").asText(), expr + ": " + r);
          if (r.path("data").path("result").isEmpty()) {
            empty.add(panel.path("title").asText() + ": " + expr);
          }
        }
      }
      assertTrue(queries >= 10, "the dashboard has its queries");
      assertTrue(empty.isEmpty(), "queries without data (see " + dir.resolve("prometheus.log") + "): " + empty);
    } finally {
      prometheus.destroy();
      prometheus.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static JsonNode query(String api, String expr, long start, long end) throws Exception {
    String url = api + "/api/v1/query_range?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&start="
        + start + "&end=" + end + "&step=1";
    var resp = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(resp.body());
  }

  private static void waitReady(String api, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "prometheus exited");
      try {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/-/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("prometheus not ready within 30 s");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
