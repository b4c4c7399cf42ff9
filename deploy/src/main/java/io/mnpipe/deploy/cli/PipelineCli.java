package io.mnpipe.deploy.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code ./pipeline} command line: arguments in, one subcommand run, an exit code out. */
@Command(name = "pipeline", mixinStandardHelpOptions = true, version = "mnpipe 0.1.0",
    description = "Streaming data-and-training pipeline for MobileNets: Kafka + Flink + DJL.",
    subcommands = {LocalCommand.class, PublishCommand.class, DatasetsCommand.class, TopicsCommand.class, BenchCommand.class,
        EvaluateCommand.class, ValidateCommand.class, ExportCommand.class,
        FlinkCommand.class, ModelsCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
public final class PipelineCli implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    // With --json, stdout is the JSON document alone (for jq and scripts); the log goes to stderr.
    // Set before any logger exists: log4j reads it once, when the first command class loads.
    if (Arrays.asList(args).contains("--json")) {
      System.setProperty("mnpipe.log.target", "SYSTEM_ERR");
    }
    System.exit(execute(args));
  }

  /** Runs the command line; user errors become one line on stderr and a non-zero code. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The whole command tree with the error handling {@link #execute} uses. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new PipelineCli());
    cli.setParameterExceptionHandler((e, a) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("error: " + e.getMessage());
      err.println("try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, c, parsed) -> {
      c.getErr().println("error: " + userMessage(e));
      org.slf4j.LoggerFactory.getLogger(PipelineCli.class).debug("failed", e);
      return 1;
    });
    return cli;
  }

  /** The innermost message that says something, without a stack trace. */
  static String userMessage(Throwable e) {
    Throwable t = e;
    String msg = t.getMessage();
    while ((msg == null || msg.isBlank()) && t.getCause() != null) {
      t = t.getCause();
      msg = t.getMessage();
    }
    return msg == null ? t.getClass().getSimpleName() : msg;
  }
}
