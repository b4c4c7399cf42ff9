package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.kafka.TopicApplier;
import io.mnpipe.deploy.kafka.TopicPlan;
import io.mnpipe.deploy.kafka.TopicsFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline topics apply FILE}: make a cluster's topics match a topics file. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Topic provisioning.",
    subcommands = {TopicsCommand.Apply.class})
public final class TopicsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Creates the topics a YAML file declares, raises partition counts and sets topic settings",
          "(retention, compaction, max message size) where they differ. Re-applying an unchanged file does",
          "nothing. Fewer partitions or another replication factor are refused with the topic named."})
  static final class Apply implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Topics file, e.g. deploy/kafka/topics.yaml.")
    Path file;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--dry-run", description = "Print the changes without making them.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      var specs = TopicsFile.read(file);
      TopicPlan plan = new TopicApplier(kafka.connect()).apply(specs, dryRun);
      plan.describe().forEach(System.out::println);
      System.out.printf("%s%d topic(s): %d created, %d with more partitions, %d with changed settings, %d unchanged%n",
          dryRun ? "dry run, nothing changed; " : "", specs.size(), plan.create().size(), plan.addPartitions().size(),
          plan.setConfigs().size(), plan.unchanged().size());
      return 0;
    }
  }
}
