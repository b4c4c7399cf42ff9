package io.mnpipe.deploy.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A JobManager's REST address in, jar uploads, job runs and job states out: the calls the Flink
 * web UI makes to submit a jar ({@code POST /jars/upload}, {@code POST /jars/:id/run}), over
 * java.net.http and Jackson. Flink's error answers become {@link FlinkRestException}s with its
 * {@code errors} array; an endpoint that does not answer becomes one line naming the address.
 */
public final class FlinkRestClient {
  /** Job states after which nothing changes any more. */
  public static final Set<String> TERMINAL_STATES = Set.of("FINISHED", "FAILED", "CANCELED");

  /** A job to run from an uploaded jar; null fields are left to Flink (manifest, cluster default). */
  public record RunRequest(String entryClass, List<String> programArgs, Integer parallelism) {}

  /**
   * The job's checkpoints so far ({@code GET /jobs/:id/checkpoints}): counts, the largest
   * checkpoint's state size and the longest end-to-end duration of those completed, and the failed
   * ones still in Flink's history ({@code web.checkpoints.history}, 10 by default), newest first.
   */
  public record CheckpointStats(long completed, long failed, long restored, long maxStateBytes, long maxDurationMs,
      List<FailedCheckpoint> recentFailures) {
    public static final CheckpointStats NONE = new CheckpointStats(0, 0, 0, 0, 0, List.of());
  }

  /** A failed checkpoint: its id and Flink's reason. */
  public record FailedCheckpoint(long id, String message) {}

  /** One failure in the job's exception history: when, which task (null for a global one), the trace. */
  public record JobFailure(long timestamp, String taskName, String trace) {
    /** The innermost cause's message. */
    public String rootCause() {
      return FlinkRestException.rootCause(trace);
    }
  }

  /** The parts of {@code GET /overview} a caller waits on. */
  public record Overview(int taskManagers, int slotsTotal, int slotsAvailable, String flinkVersion) {}

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Upload and run read a jar of tens of MB and run the job's main on the JobManager. */
  private static final Duration SLOW_CALL_TIMEOUT = Duration.ofMinutes(5);

  private final URI base;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  public FlinkRestClient(URI rest) {
    if (rest == null || !("http".equals(rest.getScheme()) || "https".equals(rest.getScheme()))
        || rest.getHost() == null) {
      throw new IllegalArgumentException("Flink REST address '" + rest + "' is not http://HOST:PORT");
    }
    String s = rest.toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    // HTTP/1.1: Flink's REST server does not speak HTTP/2, and an h2c upgrade on a large upload only costs.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
  }

  public URI base() {
    return base;
  }

  public Overview overview() {
    JsonNode o = call("GET", "overview", BodyPublishers.noBody(), null, CALL_TIMEOUT);
    return new Overview(o.path("taskmanagers").asInt(), o.path("slots-total").asInt(),
        o.path("slots-available").asInt(), o.path("flink-version").asText());
  }

  /** Uploads {@code jar} as the multipart field {@code jarfile}; returns the id Flink gives it. */
  public String uploadJar(Path jar) throws IOException {
    String boundary = "mnpipe-" + UUID.randomUUID();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
        + "Content-Type: application/x-java-archive\r\n\r\n";
    BodyPublisher body = BodyPublishers.concat(BodyPublishers.ofString(head), BodyPublishers.ofFile(jar),
        BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"));
    JsonNode r = call("POST", "jars/upload", body, "multipart/form-data; boundary=" + boundary, SLOW_CALL_TIMEOUT);
    String file = r.path("filename").asText("");
    if (file.isEmpty()) {
      throw new FlinkRestException("Flink at " + base + " accepted the upload of " + jar + " but named no file: " + r,
          List.of());
    }
    return Path.of(file).getFileName().toString();
  }

  /** Runs the job of an uploaded jar; returns the job id once the job is submitted. */
  public String runJar(String jarId, RunRequest run) {
    ObjectNode req = json.createObjectNode();
    if (run.entryClass() != null) {
      req.put("entryClass", run.entryClass());
    }
    req.putPOJO("programArgsList", run.programArgs() == null ? List.of() : run.programArgs());
    if (run.parallelism() != null) {
      req.put("parallelism", run.parallelism());
    }
    JsonNode r = call("POST", "jars/" + segment(jarId) + "/run", BodyPublishers.ofString(req.toString()),
        "application/json", SLOW_CALL_TIMEOUT);
    return r.path("jobid").asText();
  }

  public void deleteJar(String jarId) {
    call("DELETE", "jars/" + segment(jarId), BodyPublishers.noBody(), null, CALL_TIMEOUT);
  }

  /** The job's state: CREATED, RUNNING, FINISHED, FAILED, CANCELED, ... */
  public String jobState(String jobId) {
    return call("GET", "jobs/" + segment(jobId), BodyPublishers.noBody(), null, CALL_TIMEOUT).path("state").asText();
  }

  /**
   * Polls the job until it reaches a {@link #TERMINAL_STATES terminal state} and returns it.
   *
   * @param timeout how long to wait at most; null waits as long as it takes
   */
  public String awaitTermination(String jobId, Duration poll, Duration timeout) throws InterruptedException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    while (true) {
      String state = jobState(jobId);
      if (TERMINAL_STATES.contains(state)) {
        return state;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("job " + jobId + " is still " + state + " after " + timeout.toSeconds()
            + " s; it keeps running (see " + base + "#/job/running/" + jobId + "/overview)");
      }
      Thread.sleep(poll.toMillis());
    }
  }

  public CheckpointStats checkpoints(String jobId) {
    JsonNode r = call("GET", "jobs/" + segment(jobId) + "/checkpoints", BodyPublishers.noBody(), null, CALL_TIMEOUT);
    JsonNode counts = r.path("counts");
    JsonNode summary = r.path("summary");
    List<FailedCheckpoint> failed = new java.util.ArrayList<>();
    for (JsonNode c : r.path("history")) {
      if ("FAILED".equals(c.path("status").asText())) {
        failed.add(new FailedCheckpoint(c.path("id").asLong(), c.path("failure_message").asText("")));
      }
    }
    return new CheckpointStats(counts.path("completed").asLong(), counts.path("failed").asLong(),
        counts.path("restored").asLong(), summary.path("state_size").path("max").asLong(),
        summary.path("end_to_end_duration").path("max").asLong(), List.copyOf(failed));
  }

  /** The job's exception history, newest first ({@code GET /jobs/:id/exceptions}). */
  public List<JobFailure> failures(String jobId) {
    JsonNode r = call("GET", "jobs/" + segment(jobId) + "/exceptions?maxExceptions=20", BodyPublishers.noBody(), null,
        CALL_TIMEOUT);
    List<JobFailure> out = new java.util.ArrayList<>();
    for (JsonNode e : r.path("exceptionHistory").path("entries")) {
      out.add(new JobFailure(e.path("timestamp").asLong(), e.path("taskName").isTextual()
          ? e.path("taskName").asText() : null, e.path("stacktrace").asText("")));
    }
    return out;
  }

  /** The root cause of the job's latest failure, in one line, or null when it has none. */
  public String failureCause(String jobId) {
    JsonNode r = call("GET", "jobs/" + segment(jobId) + "/exceptions", BodyPublishers.noBody(), null, CALL_TIMEOUT);
    JsonNode entries = r.path("exceptionHistory").path("entries");
    String trace = entries.isArray() && !entries.isEmpty() ? entries.get(0).path("stacktrace").asText(null)
        : r.path("root-exception").asText(null);
    return trace == null || trace.isBlank() ? null : FlinkRestException.rootCause(trace);
  }

  private JsonNode call(String method, String path, BodyPublisher body, String contentType, Duration timeout) {
    URI uri = base.resolve(path);
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).method(method, body)
        .header("Accept", "application/json");
    if (contentType != null) {
      req.header("Content-Type", contentType);
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      // java.net.http gives a closed port no message at all.
      String why = reason(e).equals(e.getClass().getSimpleName()) ? "connection refused" : reason(e);
      throw new IllegalStateException("no Flink REST endpoint reachable at " + base + " (" + why
          + "); check --rest and that the JobManager runs", e);
    } catch (HttpTimeoutException e) {
      throw new IllegalStateException("Flink at " + base + " did not answer " + method + " /" + path + " within "
          + timeout.toSeconds() + " s", e);
    } catch (IOException e) {
      throw new IllegalStateException("talking to Flink at " + base + " failed: " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling Flink at " + base, e);
    }
    JsonNode answer = parse(resp.body());
    if (resp.statusCode() / 100 != 2) {
      throw FlinkRestException.of(method + " " + uri.getPath(), resp.statusCode(), answer, resp.body());
    }
    if (answer == null) {
      throw new FlinkRestException(method + " " + uri + " answered HTTP " + resp.statusCode()
          + " with no JSON; is " + base + " a Flink REST endpoint?", List.of());
    }
    return answer;
  }

  private JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }
}
