package io.mnpipe.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Arguments in, {@code ./pipeline} run as a user runs it out (the launcher script with its JVM
 * flags, on the jar this build packaged): exit code, stdout and stderr, and the wall time. The
 * script is told not to rebuild; {@code javaOpts} replaces its default heap setting.
 */
public final class PipelineLauncher {
  private PipelineLauncher() {}

  public record Run(int code, String out, String err, Duration took) {}

  public static Run run(String javaOpts, Duration timeout, String... args) throws IOException, InterruptedException {
    Path script = Path.of("..", "pipeline").toAbsolutePath().normalize();
    assertTrue(Files.isExecutable(script), script + " is the launcher");
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("MNPIPE_SKIP_BUILD", "1");
    pb.environment().put("MNPIPE_JAVA_OPTS", javaOpts);
    Path out = Files.createTempFile("pipeline-out-", ".txt");
    Path err = Files.createTempFile("pipeline-err-", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    Run r = new Run(ended ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - t0));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    assertTrue(ended, "pipeline " + String.join(" ", args) + " did not end within " + timeout + "; its last output:\n"
        + tail(r.out()) + tail(r.err()));
    return r;
  }

  /** The last 40 lines of an output, for failure messages. */
  public static String tail(String s) {
    List<String> lines = s.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
  }
}
