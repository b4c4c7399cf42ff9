package io.mnpipe.evaluator;

import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.KafkaSampleSource;
import io.mnpipe.models.runtime.IntraOpThreads;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.CheckpointEvent;
import io.mnpipe.schemas.avro.EvaluationResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CheckpointEvents in, EvaluationResults out (key = checkpoint id runId/step, on
 * {@code mnpipe.evaluations}): each announced checkpoint is loaded and scored on the whole
 * validation topic as it stands at that moment. Progress is committed per event in its consumer
 * group, so a restarted evaluator does not score a checkpoint twice. Partitions are assigned, not
 * subscribed, because scoring a large split can outlast a group's poll interval: run one
 * evaluator per group.
 */
public final class EvaluatorService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluatorService.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration TOPIC_WAIT = Duration.ofMinutes(2);

  /** One scored checkpoint: the event, what its directory said, and the published result. */
  public record Scored(CheckpointEvent event, CheckpointMeta meta, EvaluationResult result) {}

  private final EvaluatorConfig config;
  private final KafkaSettings kafka;
  private final List<EvaluationResult> results = new ArrayList<>();
  private volatile boolean stopRequested;

  public EvaluatorService(EvaluatorConfig config, KafkaSettings kafka) {
    this.config = config;
    this.kafka = kafka;
  }

  /** Stops after the final checkpoint of {@code runId} (the one written when its training ended). */
  public static Predicate<Scored> finalCheckpointOf(String runId) {
    return s -> s.meta().isFinal() && s.meta().runId().equals(runId);
  }

  /** Scores until {@link #finalCheckpointOf} {@code runId} is scored, or {@link #stop()}. */
  public List<EvaluationResult> runUntilFinal(String runId) {
    return run(finalCheckpointOf(runId));
  }

  /**
   * Scores checkpoints as they are announced until one satisfies {@code stopAfter} (tested after it
   * is published) or {@link #stop()} is called; returns every result published by this call.
   */
  public List<EvaluationResult> run(Predicate<Scored> stopAfter) {
    IntraOpThreads.limitCallingThread(config.intraOpThreads()); // scoring happens on this thread
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(config.checkpointTopic(), 1), TopicAdmin.compacted(Topics.EVALUATIONS, 1)),
          Duration.ofSeconds(60));
    }
    Topic<String, CheckpointEvent> in = Topics.checkpoints().named(config.checkpointTopic());
    Topic<String, EvaluationResult> out = Topics.evaluations();
    String clientId = "mnpipe-evaluator-" + config.groupId();
    try (var consumer = new KafkaConsumer<>(kafka.consumer(config.groupId(), clientId), in.keySerde().deserializer(),
            in.valueSerde().deserializer());
        var producer = new KafkaProducer<>(kafka.producer(clientId), out.keySerde().serializer(),
            out.valueSerde().serializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(in.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts); // starts at the group's committed offsets, else at the earliest
      LOG.info("evaluator {} waiting for checkpoints on {} (validation split {}{})", config.groupId(), in.name(),
          config.valTopic(), config.runId() == null ? "" : ", run " + config.runId());
      Set<String> scored = alreadyScored(out);
      List<EvaluationResult> mine = new ArrayList<>();
      while (!stopRequested) {
        List<ConsumerRecord<String, CheckpointEvent>> waiting = new ArrayList<>();
        consumer.poll(POLL).forEach(waiting::add);
        Set<ConsumerRecord<String, CheckpointEvent>> stale = config.latestOnly() ? superseded(waiting) : Set.of();
        for (ConsumerRecord<String, CheckpointEvent> r : waiting) {
          Scored s = null;
          CheckpointEvent e = r.value();
          if (e == null || (config.runId() != null && !config.runId().equals(e.getRunId()))) {
            // not ours
          } else if (scored.contains(id(e))) {
            LOG.info("checkpoint {} already has a result on {} (scored before a restart); not scoring it again",
                id(e), out.name());
          } else if (stale.contains(r)) {
            LOG.info("skipped checkpoint {}: a newer checkpoint of run {} is waiting", id(e), e.getRunId());
            EvaluatorMetrics.skipped(e.getModel(), e.getRunId());
          } else {
            s = handle(e, producer, out);
            if (s != null) {
              scored.add(id(e));
            }
          }
          consumer.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
          if (s != null) {
            mine.add(s.result());
            if (stopAfter.test(s)) {
              return mine;
            }
          }
        }
      }
      return mine;
    }
  }

  /** The checkpoint id results are keyed by. */
  static String id(CheckpointEvent e) {
    return CheckpointMeta.id(e.getRunId(), e.getStep());
  }

  /**
   * Checkpoints already scored, read from the results topic (compacted, keyed by checkpoint): a
   * result published just before a crash, whose event offset was not yet committed, is not scored
   * twice.
   */
  private Set<String> alreadyScored(Topic<String, EvaluationResult> out) {
    Set<String> ids = new HashSet<>();
    BoundedReader.read(kafka, out.name(), null, out.keySerde().deserializer(), out.valueSerde().deserializer(),
        r -> {
          if (r.value() != null) {
            ids.add(r.key());
          }
        }, Duration.ofMinutes(2));
    if (!ids.isEmpty()) {
      LOG.info("{} checkpoint(s) already scored on {}", ids.size(), out.name());
    }
    return ids;
  }

  /** Events with a newer event of the same run in the same batch: the newest one is what matters. */
  static Set<ConsumerRecord<String, CheckpointEvent>> superseded(List<ConsumerRecord<String, CheckpointEvent>> batch) {
    Map<String, Long> newest = new HashMap<>();
    for (var r : batch) {
      if (r.value() != null) {
        newest.merge(r.value().getRunId(), r.value().getStep(), Math::max);
      }
    }
    Set<ConsumerRecord<String, CheckpointEvent>> stale = new HashSet<>();
    for (var r : batch) {
      if (r.value() != null && r.value().getStep() < newest.get(r.value().getRunId())) {
        stale.add(r);
      }
    }
    return stale;
  }

  /** Scores and publishes one event of ours; null when its checkpoint cannot be scored. */
  private Scored handle(CheckpointEvent e, KafkaProducer<String, EvaluationResult> producer,
      Topic<String, EvaluationResult> out) {
    Scored s;
    try {
      s = evaluate(e);
    } catch (RuntimeException ex) {
      LOG.error("cannot score checkpoint {}/{} at {}: {}; skipping it", e.getRunId(), e.getStep(), e.getLocation(),
          ex.getMessage(), ex);
      return null;
    }
    publish(producer, out, s.result());
    EvaluatorMetrics.record(s.result());
    synchronized (results) {
      results.add(s.result());
    }
    return s;
  }

  /** Loads the checkpoint an event announces and scores it on the validation topic; publishes nothing. */
  public Scored evaluate(CheckpointEvent e) {
    try (Checkpoints.Loaded ckpt = Checkpoints.load(Path.of(e.getLocation()))) {
      CheckpointMeta meta = ckpt.meta();
      var val = new KafkaSampleSource(kafka, config.valTopic(), "mnpipe-evaluator-val", true, TOPIC_WAIT);
      CheckpointScorer.Score score = CheckpointScorer.score(ckpt, val, config.batchSize(), config.prefetchBatches());
      TopKAccuracy acc = score.accuracy();
      if (acc.samples() == 0) {
        throw new IllegalStateException("no usable samples in " + config.valTopic() + " (" + score.skipped()
            + " skipped): the checkpoint expects " + meta.imageSize() + "x" + meta.imageSize() + " RGB and labels in [0, "
            + meta.numClasses() + ")");
      }
      EvaluationResult r = EvaluationResult.newBuilder().setCheckpoint(meta.id()).setModel(meta.model())
          .setRunId(meta.runId()).setStep(meta.step()).setEpoch(meta.epoch()).setTop1(acc.top1()).setTop5(acc.top5())
          .setLoss(acc.meanLoss()).setSamples(acc.samples()).setSeconds(score.seconds()).setTime(Instant.now())
          .setPrecision(score.precision())
          .setFloatTop1(score.floatAccuracy() == null ? null : score.floatAccuracy().top1())
          .setFloatTop5(score.floatAccuracy() == null ? null : score.floatAccuracy().top5()).build();
      LOG.info(String.format(java.util.Locale.ROOT,
          "checkpoint %s: top1 %.2f%% top5 %.2f%% loss %.4f%s on %d samples (%d skipped) in %.1f s", meta.id(),
          100 * acc.top1(), 100 * acc.top5(), acc.meanLoss(), score.floatAccuracy() == null ? ""
              : String.format(java.util.Locale.ROOT, " in simulated int8 (float: top1 %.2f%% top5 %.2f%%)",
                  100 * score.floatAccuracy().top1(), 100 * score.floatAccuracy().top5()),
          acc.samples(), score.skipped(), score.seconds()));
      return new Scored(e, meta, r);
    }
  }

  private static void publish(KafkaProducer<String, EvaluationResult> producer, Topic<String, EvaluationResult> out,
      EvaluationResult r) {
    try {
      producer.send(new ProducerRecord<>(out.name(), r.getCheckpoint(), r)).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException ex) {
      Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
      throw new IllegalStateException("could not publish the result of " + r.getCheckpoint() + " to " + out.name()
          + ": " + cause.getMessage(), ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing " + r.getCheckpoint(), ex);
    }
  }

  /** Every result this service has published, across calls; safe from any thread. */
  public List<EvaluationResult> results() {
    synchronized (results) {
      return List.copyOf(results);
    }
  }

  /** Makes {@link #run} return after the checkpoint being scored (if any). Any thread. */
  public void stop() {
    stopRequested = true;
  }

  @Override
  public void close() {
    stop();
  }
}
