package io.mnpipe.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged launcher jar as a user runs it: bad arguments give one line and a non-zero exit. */
class PipelineCliIT {
  record Run(int code, String out, String err) {}

  static Run pipeline(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.awt.headless=true", "-jar", Path.of("target", "pipeline.jar").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "pipeline " + String.join(" ", args) + " did not finish");
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static void assertOneLineError(Run r, String expected) {
    assertNotEquals(0, r.code(), r.toString());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(expected), r.err());
    assertTrue(lines.size() <= 2, "at most the error and a hint: " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void unknownModelNamesTheKnownOnes() throws Exception {
    Run r = pipeline("local", "--model", "resnet50", "--metrics-port", "0");
    assertOneLineError(r, "unknown model 'resnet50'");
    assertTrue(r.err().contains("mobilenet_v2_100"), r.err());
  }

  @Test
  void negativeEpochsAndMalformedNumbersAreRefused() throws Exception {
    assertOneLineError(pipeline("local", "--epochs", "-1", "--metrics-port", "0"), "--epochs must be at least 1");
    Run r = pipeline("local", "--epochs", "two");
    assertEquals(2, r.code(), r.toString());
    assertOneLineError(r, "'two'");
  }

  @Test
  void unreachableBootstrapServerIsOneLine() throws Exception {
    Run r = pipeline("local", "--bootstrap", "127.0.0.1:1", "--metrics-port", "0");
    assertOneLineError(r, "no Kafka broker reachable at 127.0.0.1:1");
  }

  @Test
  void everyCommandHasHelp() throws Exception {
    Run top = pipeline("--help");
    assertEquals(0, top.code());
    assertTrue(top.out().contains("local"), top.out());
    Run local = pipeline("local", "--help");
    assertEquals(0, local.code());
    for (String option : List.of("--dataset", "--model", "--epochs", "--image-size", "--batch-size", "--max-minutes",
        "--json-summary")) {
      assertTrue(local.out().contains(option), option + " missing from help");
    }
  }
}
