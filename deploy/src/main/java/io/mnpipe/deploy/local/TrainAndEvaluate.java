package io.mnpipe.deploy.local;

import io.mnpipe.evaluator.EvaluatorConfig;
import io.mnpipe.evaluator.EvaluatorService;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.avro.EvaluationResult;
import io.mnpipe.trainer.TrainResult;
import io.mnpipe.trainer.TrainerConfig;
import io.mnpipe.trainer.TrainerService;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The samples topics in, a trained model and its evaluations out: the trainer reads the training
 * samples to their end while the evaluator, alongside, scores each checkpoint the trainer
 * announces, until it has scored the run's final one.
 */
final class TrainAndEvaluate {
  private static final Logger LOG = LoggerFactory.getLogger(TrainAndEvaluate.class);

  /** What the two services did. */
  record Result(long trainedSamples, long steps, int checkpoints, List<RunSummary.Evaluation> evaluations,
      double trainSeconds, double evaluateSeconds, long firstStepNanos) {}

  private final KafkaSettings kafka;
  private final LocalConfig config;
  private final String model;
  private final String runId;
  private final String trainSamples;
  private final String valSamples;
  private final int numClasses;
  private final long trainPerEpoch;
  private final CompletableFuture<?> samplesDone;
  private final CompletableFuture<?> valReady;

  /** @param model the one of {@code config.models()} this trains, as run {@code runId} */
  TrainAndEvaluate(KafkaSettings kafka, LocalConfig config, String model, String runId, String trainSamples,
      String valSamples, int numClasses, long trainPerEpoch, CompletableFuture<?> samplesDone,
      CompletableFuture<?> valReady) {
    this.kafka = kafka;
    this.config = config;
    this.model = model;
    this.runId = runId;
    this.trainSamples = trainSamples;
    this.valSamples = valSamples;
    this.numClasses = numClasses;
    this.trainPerEpoch = trainPerEpoch;
    this.samplesDone = samplesDone;
    this.valReady = valReady;
  }

  Result run() throws Exception {
    long stepsPerEpoch = Math.max(1, trainPerEpoch / config.batchSize());
    // Epoch ends always checkpoint; spaced on the epoch's real step count (its last batch may be
    // short), the last interval falls on the epoch end instead of a step or two before it.
    long stepsInEpoch = (trainPerEpoch + config.batchSize() - 1) / config.batchSize();
    int every = config.checkpointsPerEpoch() == 1 ? 0
        : (int) Math.max(1, (stepsInEpoch + config.checkpointsPerEpoch() - 1) / config.checkpointsPerEpoch());
    TrainerConfig tc = TrainerConfig.builder(model, numClasses, config.workDir().resolve("checkpoints"))
        .imageSize(config.imageSize()).batchSize(config.batchSize()).epochs(config.epochs()).lr(config.lr())
        .weightDecay(config.weightDecay()).qat(config.qat()).initCheckpoint(config.initCheckpoint())
        .freezeBnEpoch(config.freezeBnEpoch())
        .samplesPerEpoch(trainPerEpoch).warmupSteps((int) Math.max(1, stepsPerEpoch / 4))
        .checkpointEverySteps(every).maxMinutes(config.maxMinutes()).runId(runId).seed(config.seed())
        .logEverySteps((int) Math.max(1, Math.min(20, stepsPerEpoch / 4)))
        // The trained keys: the samples topic's trained records are deleted as the run goes (bounded
        // disk), so the run's audit reads what was trained from here.
        .traceKeys(true).build();
    // One scoring thread: the evaluator shares this process's cores with the trainer (see IntraOpThreads).
    EvaluatorConfig ec = EvaluatorConfig.of(valSamples).withGroupId("mnpipe-evaluator-" + runId).withRunId(runId)
        .withIntraOpThreads(1);

    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "evaluator-" + runId));
    try (EvaluatorService evaluator = new EvaluatorService(ec, kafka)) {
      // Scoring waits for the whole validation split: the job writes it while training starts.
      Future<List<EvaluationResult>> evaluations = pool.submit(() -> {
        valReady.get();
        return evaluator.runUntilFinal(runId);
      });
      LOG.info("[3/4] train: {} as run {} on {} ({} samples/epoch, {} epoch(s), batch {})", model, runId, trainSamples,
          trainPerEpoch, config.epochs(), config.batchSize());
      long t0 = System.nanoTime();
      TrainResult tr;
      long firstStep;
      try (TrainerService trainer = new TrainerService(tc, kafka, trainSamples)) {
        // The trainer follows the samples topic while preprocess writes it; once the job is done it
        // trains on to the end the topic then has. A failed job stops it (a final checkpoint, then out).
        samplesDone.whenComplete((r, e) -> {
          if (e == null) {
            trainer.endAtCurrentEnd();
          } else {
            trainer.stop();
          }
        });
        tr = trainer.run(false);
        firstStep = trainer.firstStepNanos();
      }
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      LOG.info("[4/4] evaluate: waiting for the evaluator to score the final checkpoint of {}", runId);
      long t1 = System.nanoTime();
      List<EvaluationResult> results;
      try {
        results = evaluations.get(10, TimeUnit.MINUTES);
      } catch (TimeoutException e) {
        evaluator.stop();
        throw new IllegalStateException("the evaluator did not score the final checkpoint within 10 minutes", e);
      }
      double evaluateSeconds = (System.nanoTime() - t1) / 1e9;
      List<RunSummary.Evaluation> evals = results.stream()
          .sorted(Comparator.comparingLong(EvaluationResult::getStep))
          .map(r -> new RunSummary.Evaluation(r.getCheckpoint(), r.getTop1(), r.getTop5(), r.getPrecision().toString(),
              r.getFloatTop1())).toList();
      return new Result(tr.samplesTrained(), tr.steps(), tr.checkpoints().size(), evals, trainSeconds, evaluateSeconds,
          firstStep);
    } finally {
      pool.shutdownNow();
    }
  }
}
