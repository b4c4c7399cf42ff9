package io.mnpipe.deploy.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mnpipe.deploy.cli.PipelineCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's side of Flink's REST protocol, against a stand-in JobManager that answers as Flink 2.2 does. */
class FlinkRestClientTest {
  private static final String JOB = "0123456789abcdef0123456789abcdef";
  private final Map<String, String> requests = new ConcurrentHashMap<>();
  private final AtomicInteger statusPolls = new AtomicInteger();
  private HttpServer server;
  private URI rest;

  @BeforeEach
  void startStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    answer("/jars/upload", 200, "{\"filename\":\"/tmp/flink-web/upload/abc_job.jar\",\"status\":\"success\"}");
    answer("/jars/abc_job.jar/run", 200, "{\"jobid\":\"" + JOB + "\"}");
    answer("/jars/abc_job.jar", 200, "{}");
    answer("/jobs/" + JOB + "/exceptions", 200, "{\"exceptionHistory\":{\"entries\":[{\"stacktrace\":"
        + "\"org.apache.flink.runtime.JobException: Recovery is suppressed\\n\\tat a.B(B.java:1)\\nCaused by: "
        + "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment.\\n\\tat c.D\"}]}}");
    answer("/jars/missing.jar/run", 400, "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: "
        + "Jar file /tmp/missing.jar does not exist\\n\\tat org.apache.flink.X(X.java:1)\"]}");
    server.createContext("/jobs/" + JOB, x -> {
      String state = statusPolls.incrementAndGet() < 2 ? "RUNNING" : "FAILED";
      reply(x, 200, "{\"jid\":\"" + JOB + "\",\"state\":\"" + state + "\"}");
    });
    server.start();
    rest = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(String path, int status, String body) {
    server.createContext(path, x -> {
      if (!x.getRequestURI().getPath().equals(path)) {
        reply(x, 404, "{\"errors\":[\"Not found: " + x.getRequestURI().getPath() + "\"]}");
        return;
      }
      requests.put(x.getRequestMethod() + " " + path, new String(x.getRequestBody().readAllBytes(),
          StandardCharsets.ISO_8859_1) + "\nContent-Type: " + x.getRequestHeaders().getFirst("Content-Type"));
      reply(x, status, body);
    });
  }

  private static void reply(com.sun.net.httpserver.HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  @Test
  void uploadsTheJarAsJarfileAndRunsItWithTheArgumentsAsAList(@TempDir Path dir) throws Exception {
    Path jar = Files.write(dir.resolve("job.jar"), "PK-not-really".getBytes(StandardCharsets.UTF_8));
    FlinkRestClient flink = new FlinkRestClient(rest);

    assertEquals("abc_job.jar", flink.uploadJar(jar));
    String upload = requests.get("POST /jars/upload");
    assertTrue(upload.contains("Content-Disposition: form-data; name=\"jarfile\"; filename=\"job.jar\"\r\n"), upload);
    assertTrue(upload.contains("\r\n\r\nPK-not-really\r\n--mnpipe-"), upload);
    assertTrue(upload.contains("Content-Type: multipart/form-data; boundary=mnpipe-"), upload);

    assertEquals(JOB, flink.runJar("abc_job.jar", new FlinkRestClient.RunRequest("a.Main", List.of("--x", "1 2"), 3)));
    assertTrue(requests.get("POST /jars/abc_job.jar/run").startsWith(
        "{\"entryClass\":\"a.Main\",\"programArgsList\":[\"--x\",\"1 2\"],\"parallelism\":3}\nContent-Type: application/json"));
  }

  @Test
  void aRefusalCarriesFlinksErrorsWithoutStackFrames() {
    var e = assertThrows(FlinkRestException.class, () -> new FlinkRestClient(rest).runJar("missing.jar",
        new FlinkRestClient.RunRequest(null, List.of(), null)));
    assertEquals("Flink refused POST /jars/missing.jar/run (HTTP 400): Jar file /tmp/missing.jar does not exist\n"
        + "Flink's errors:\n  org.apache.flink.runtime.rest.handler.RestHandlerException: Jar file /tmp/missing.jar "
        + "does not exist", e.getMessage());
    assertTrue(e.errors().get(0).contains("\tat org.apache.flink.X"), "the frames stay available");
  }

  @Test
  void waitingOnAFailedJobPrintsItsStateAndExitsWithTheRootCause(@TempDir Path dir) throws Exception {
    Path jar = Files.write(dir.resolve("job.jar"), new byte[] {1});
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = PipelineCli.execute("flink", "submit", "--rest", rest.toString(), "--jar", jar.toString(), "--wait", "--",
          "--bootstrap", "kafka:9092");
    } finally {
      System.setOut(out);
      System.setErr(err);
    }

    assertEquals(1, code, e.toString(StandardCharsets.UTF_8));
    assertEquals(List.of(JOB, "FAILED"), o.toString(StandardCharsets.UTF_8).lines().toList());
    assertTrue(e.toString(StandardCharsets.UTF_8).contains("error: job " + JOB
        + " FAILED: Timed out waiting for a node assignment.\n"), e.toString(StandardCharsets.UTF_8));
    assertTrue(requests.get("POST /jars/abc_job.jar/run").startsWith("{\"programArgsList\":[\"--bootstrap\",\"kafka:9092\"]}"),
        "entry class and parallelism left to the jar and the cluster");
    assertTrue(requests.containsKey("DELETE /jars/abc_job.jar"), "the upload is removed once the job is submitted");
  }
}
