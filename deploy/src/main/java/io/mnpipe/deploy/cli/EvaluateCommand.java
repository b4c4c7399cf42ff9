package io.mnpipe.deploy.cli;

import io.mnpipe.deploy.local.MetricsEndpoint;
import io.mnpipe.evaluator.EvaluatorConfig;
import io.mnpipe.evaluator.EvaluatorService;
import io.mnpipe.schemas.Topics;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline evaluate}: the long-running evaluator service. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Scores every checkpoint announced on the checkpoint topic on the whole validation split and",
        "publishes top-1/top-5/loss to the evaluations topic (compacted, keyed by checkpoint). A checkpoint",
        "that already has a result is never scored again, also across restarts. When several checkpoints of a",
        "run are waiting, only the newest is scored and the others are logged and counted as skipped",
        "(--score-every scores each one). Runs until stopped (Ctrl-C)."})
public final class EvaluateCommand implements Callable<Integer> {
  @Mixin
  KafkaOptions kafka;

  @Option(names = "--val-topic", required = true, paramLabel = "TOPIC",
      description = "Validation samples topic (eval preset), e.g. mnpipe.samples.imagenet.v1.val.")
  String valTopic;

  @Option(names = "--checkpoint-topic", defaultValue = Topics.CHECKPOINTS, paramLabel = "TOPIC",
      description = "Checkpoint events topic (default ${DEFAULT-VALUE}).")
  String checkpointTopic;

  @Option(names = "--run-id", paramLabel = "RUN", description = "Score only this run's checkpoints (default: every run).")
  String runId;

  @Option(names = "--group", defaultValue = EvaluatorConfig.DEFAULT_GROUP,
      description = "Consumer group on the checkpoint topic (default ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--batch-size", defaultValue = "64", description = "Samples per forward pass (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--score-every", description = "Score every checkpoint, even when newer ones are waiting.")
  boolean scoreEvery;

  @Option(names = "--intra-op-threads", defaultValue = "0", paramLabel = "N",
      description = {"libtorch threads per scoring op (default 0 = one per core). 1 when the evaluator shares",
          "its cores with a CPU trainer, so it takes one core while it scores and leaves the rest."})
  int intraOpThreads;

  @Mixin
  MetricsOptions metricsOptions = new MetricsOptions();

  @Override
  public Integer call() throws Exception {
    EvaluatorConfig config = EvaluatorConfig.of(valTopic).withGroupId(group).withRunId(runId)
        .withBatchSize(batchSize).withLatestOnly(!scoreEvery).withCheckpointTopic(checkpointTopic)
        .withIntraOpThreads(intraOpThreads);
    var settings = kafka.connect();
    try (MetricsEndpoint metrics = metricsOptions.open(9466);
        EvaluatorService service = new EvaluatorService(config, settings)) {
      System.out.println("evaluator: checkpoints from " + checkpointTopic + ", validation split " + valTopic
          + ", results to " + Topics.EVALUATIONS + "; metrics on " + metrics.url());
      Runtime.getRuntime().addShutdownHook(new Thread(service::stop, "evaluator-stop"));
      service.run(s -> false);
    }
    return 0;
  }
}
