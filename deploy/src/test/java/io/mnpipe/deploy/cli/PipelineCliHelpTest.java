package io.mnpipe.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code --help} on every command and subcommand of the tree prints its usage and exits 0, required options or not. */
class PipelineCliHelpTest {

  /** Every command path of the tree: "local", "flink submit", ... */
  static Stream<String> commands() {
    List<String> paths = new ArrayList<>();
    walk(PipelineCli.commandLine(), "", paths);
    return paths.stream();
  }

  private static void walk(CommandLine cli, String prefix, List<String> out) {
    for (var e : cli.getSubcommands().entrySet()) {
      String path = (prefix + " " + e.getKey()).strip();
      out.add(path);
      walk(e.getValue(), path, out);
    }
  }

  @ParameterizedTest(name = "pipeline {0} --help")
  @MethodSource("commands")
  void helpPrintsUsage(String path) {
    CommandLine cli = PipelineCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of(path.split(" ")));
    args.add("--help");
    assertEquals(0, cli.execute(args.toArray(String[]::new)), "exit code; stderr: " + err);
    assertTrue(out.toString().contains("Usage: pipeline " + path), "usage of " + path + ":\n" + out + err);
  }

  @Test
  void theWalkSeesEveryLevel() {
    // Guards the walk itself: a walk that found nothing would pass the test above vacuously.
    List<String> all = commands().toList();
    assertTrue(all.containsAll(List.of("local", "publish", "bench", "bench train", "flink", "train")), "commands: " + all);
  }
}
