package io.mnpipe.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.SampleRetention;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.kafka.TrainerGroups;
import io.mnpipe.models.TestSamples;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.trainer.checkpoint.TrainState;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a trainer process mid-epoch 1 and again mid-epoch 2, then the same command until the
 * input ends. Proves, from the key trace and the checkpoints: the run that survives (each attempt's
 * steps up to the checkpoint the next attempt resumed from, then the last attempt) trained every
 * (epoch, key) of the input exactly once, in epoch order; what a killed attempt trained after its
 * last durable checkpoint (at most {@value KillableTrainer#CHECKPOINT_EVERY} batches) is exactly what
 * is trained again; each restart resumed from the newest checkpoint on disk, at its step + 1. All of
 * it with record deletion on, as the preprocess job runs it: the records below the trainer's latest
 * committed checkpoint are deleted while it trains, and no restart finds its resume point deleted.
 */
@ExtendWith(KafkaBroker.class)
class TrainerKillIT {
  private static final int KEYS = 300;

  /** The attempts' own logs stay here for a post-mortem. */
  private static final Path LOGS = Path.of("target", "trainer-kill-it");

  @TempDir
  Path dir;

  /** One trace line: a sample trained as step {@code step}. */
  record Line(long step, int epoch, String key) {}

  /** One process's part of the trace. */
  record Attempt(long resumedFrom, List<Line> lines) {}

  @Test
  void killedTrainerResumesWithoutTrainingASampleTwiceOrSkippingOne(KafkaSettings kafka) throws Exception {
    String topic = produceTwoEpochs(kafka);
    Path runDir = dir.resolve("kill");
    Path trace = runDir.resolve(KeyTrace.FILE);
    List<Long> newestOnDiskAfterKill = new ArrayList<>();
    // Record deletion on, as the preprocess job runs it: below the trainer's latest checkpoint, while it trains.
    java.util.concurrent.atomic.AtomicLong deleted = new java.util.concurrent.atomic.AtomicLong();
    var retention = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    TopicAdmin retentionAdmin = new TopicAdmin(kafka);
    retention.scheduleWithFixedDelay(() -> deleted.addAndGet(SampleRetention.deleteCheckpointed(
        retentionAdmin.admin(), List.of(TrainerGroups.of("kill")), topic, 3)), 100, 100, TimeUnit.MILLISECONDS);
    try {
      killAndResume(kafka, topic, runDir, trace, newestOnDiskAfterKill);
    } finally {
      retention.shutdownNow();
      retention.awaitTermination(10, TimeUnit.SECONDS);
      retentionAdmin.close();
    }
    assertTrue(deleted.get() > 0, "retention deleted nothing while the attempts trained");
    Map<Integer, Long> starts;
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      starts = TopicAdmin.offsets(admin.admin(), topic, 3, org.apache.kafka.clients.admin.OffsetSpec.earliest(),
          Duration.ofSeconds(10));
    }
    assertTrue(starts.values().stream().mapToLong(Long::longValue).sum() > 0, "records deleted: " + starts);
    verify(kafka, topic, runDir, trace, newestOnDiskAfterKill);
  }

  private void killAndResume(KafkaSettings kafka, String topic, Path runDir, Path trace,
      List<Long> newestOnDiskAfterKill) throws Exception {

    // Attempt 1: killed once ~100 samples of epoch 1 are traced.
    killWhen(start(kafka, topic, 1), () -> count(trace, l -> true) >= 100);
    newestOnDiskAfterKill.add(newestStep(runDir));
    // Attempt 2: killed once it has traced ~64 samples of epoch 2 (far from either end of the epoch).
    killWhen(start(kafka, topic, 2), () -> lastAttemptLines(trace, l -> l.epoch() == 2) >= 64);
    newestOnDiskAfterKill.add(newestStep(runDir));
    // Attempt 3: runs to the end of the input.
    Process p = start(kafka, topic, 3);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "last attempt did not finish: " + log(3));
    assertEquals(0, p.exitValue(), log(3));
    for (int i = 1; i <= 3; i++) {
      assertFalse(log(i).contains("before they were trained"), "attempt " + i + " resumed below the topic's start");
    }
  }

  private void verify(KafkaSettings kafka, String topic, Path runDir, Path trace, List<Long> newestOnDiskAfterKill)
      throws Exception {

    List<Attempt> attempts = parse(trace);
    assertEquals(3, attempts.size());
    Map<String, Integer> trained = new TreeMap<>();
    Map<Long, Integer> stepEpoch = new TreeMap<>();
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      long upTo = i + 1 < attempts.size() ? attempts.get(i + 1).resumedFrom() : Long.MAX_VALUE;
      if (i + 1 < attempts.size()) {
        assertEquals(newestOnDiskAfterKill.get(i), upTo, "attempt " + (i + 2) + " resumes from the newest checkpoint");
      }
      TreeSet<Long> steps = new TreeSet<>();
      TreeSet<Long> inFlight = new TreeSet<>();
      for (Line l : a.lines()) {
        if (l.step() <= upTo) {
          steps.add(l.step());
          trained.merge(l.epoch() + "/" + l.key(), 1, Integer::sum);
          stepEpoch.merge(l.step(), l.epoch(), Math::max);
        } else {
          inFlight.add(l.step());
        }
      }
      assertEquals(a.resumedFrom() + 1, steps.first(), "attempt " + (i + 1) + " starts after its checkpoint");
      assertEquals(steps.last() - steps.first() + 1, steps.size(), "attempt " + (i + 1) + " traced every step");
      assertTrue(inFlight.size() <= KillableTrainer.CHECKPOINT_EVERY,
          "attempt " + (i + 1) + " lost more than the checkpoint interval: steps " + inFlight);
    }
    for (int e = 1; e <= 2; e++) {
      for (int k = 0; k < KEYS; k++) {
        assertEquals(1, trained.getOrDefault(e + "/" + key(k), 0), "epoch " + e + " key " + key(k));
      }
    }
    assertEquals(2 * KEYS, trained.size(), "nothing but the input was trained");

    // Epoch order: every epoch-1 batch before every epoch-2 batch, and a checkpoint at the boundary.
    long lastOfEpoch1 = stepEpoch.entrySet().stream().filter(e -> e.getValue() == 1).mapToLong(Map.Entry::getKey)
        .max().orElseThrow();
    assertTrue(stepEpoch.entrySet().stream().allMatch(e -> e.getValue() == (e.getKey() <= lastOfEpoch1 ? 1 : 2)));
    CheckpointMeta epochEnd = Checkpoints.readMeta(runDir.resolve(Checkpoints.dirName(lastOfEpoch1)));
    assertEquals(1, epochEnd.epoch());

    // The final checkpoint covers the whole input: every offset read, every sample counted once.
    Path last = Checkpoints.latest(runDir).orElseThrow();
    CheckpointMeta meta = Checkpoints.readMeta(last);
    assertTrue(meta.isFinal());
    assertEquals(stepEpoch.size(), meta.step());
    assertEquals(2L * KEYS, meta.samplesSeen());
    assertEquals(endOffsets(kafka, topic), TrainState.read(last).offsets());
  }

  private String produceTwoEpochs(KafkaSettings kafka) throws Exception {
    Topic<String, AugmentedSample> topic = Topics.samples("kill", "v1", "train");
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(SampleRetention.spec(topic.name(), 3)), Duration.ofSeconds(30));
    }
    SplittableRandom rng = new SplittableRandom(7);
    try (var producer = new KafkaProducer<>(kafka.producer("it-kill"), topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (int epoch = 1; epoch <= 2; epoch++) {
        for (int k = 0; k < KEYS; k++) {
          AugmentedSample s = TestSamples.solid(key(k), k % 4, 32, epoch, rng);
          producer.send(new ProducerRecord<>(topic.name(), s.getKey(), s));
        }
        producer.flush(); // per partition, epoch 2 lies after epoch 1, as preprocess writes them
      }
    }
    return topic.name();
  }

  private static String key(int k) {
    return String.format("k%03d", k);
  }

  private Process start(KafkaSettings kafka, String topic, int attempt) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g"));
    // The same --add-opens, tmpdir and DJL settings as this test JVM.
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dai.djl") || a.startsWith("-Djava.io.tmpdir"))
        .forEach(cmd::add);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KillableTrainer.class.getName(),
        kafka.bootstrap(), topic, dir.toString(), "kill"));
    Files.createDirectories(LOGS);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(LOGS.resolve("attempt-" + attempt + ".log").toFile());
    // libtorch's OpenMP threads spin-wait by default: on a shared 2-core box that made steps ~100x slower.
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return pb.start();
  }

  /** SIGKILL as soon as {@code when} holds: no shutdown hook, no final checkpoint. */
  private void killWhen(Process p, java.util.concurrent.Callable<Boolean> when) throws Exception {
    try {
      long deadline = System.currentTimeMillis() + 180_000;
      while (!when.call()) {
        assertTrue(p.isAlive(), "trainer ended before it could be killed; see " + LOGS.toAbsolutePath());
        assertTrue(System.currentTimeMillis() < deadline, "trainer too slow");
        Thread.sleep(20);
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private String log(int attempt) throws IOException {
    List<String> lines = Files.readAllLines(LOGS.resolve("attempt-" + attempt + ".log"));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private static long newestStep(Path runDir) {
    return Checkpoints.latest(runDir).map(d -> Checkpoints.readMeta(d).step()).orElse(0L);
  }

  private static long count(Path trace, Predicate<Line> p) throws IOException {
    return parse(trace).stream().flatMap(a -> a.lines().stream()).filter(p).count();
  }

  private static long lastAttemptLines(Path trace, Predicate<Line> p) throws IOException {
    List<Attempt> all = parse(trace);
    return all.size() < 2 ? 0 : all.get(all.size() - 1).lines().stream().filter(p).count();
  }

  /** The trace by attempt; a line cut short by a kill is ignored. */
  static List<Attempt> parse(Path trace) throws IOException {
    List<Attempt> out = new ArrayList<>();
    if (!Files.exists(trace)) {
      return out;
    }
    for (String s : Files.readAllLines(trace)) {
      if (s.startsWith("# attempt resumed-from ")) {
        out.add(new Attempt(Long.parseLong(s.substring(23).trim()), new ArrayList<>()));
        continue;
      }
      String[] f = s.split("\t");
      if (f.length == 3 && !out.isEmpty() && f[2].matches("k\\d{3}")) {
        out.get(out.size() - 1).lines().add(new Line(Long.parseLong(f[0]), Integer.parseInt(f[1]), f[2]));
      }
    }
    return out;
  }

  private static Map<Integer, Long> endOffsets(KafkaSettings kafka, String topic) {
    try (var c = new KafkaConsumer<>(kafka.consumer(null, "it-kill-end"), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      Map<Integer, Long> m = new HashMap<>();
      c.endOffsets(List.of(0, 1, 2).stream().map(p -> new TopicPartition(topic, p)).toList())
          .forEach((tp, o) -> m.put(tp.partition(), o));
      return m;
    }
  }
}
