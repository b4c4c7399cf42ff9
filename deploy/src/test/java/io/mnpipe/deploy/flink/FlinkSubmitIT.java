package io.mnpipe.deploy.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.deploy.cli.PipelineCli;
import io.mnpipe.ingest.publish.DatasetPublisher;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The preprocess job jar on a real standalone Flink session cluster (separate JobManager and
 * TaskManager JVMs with only Flink's jars), submitted by {@code pipeline flink submit} over REST,
 * between topics of a real broker.
 */
@ExtendWith({KafkaBroker.class, StandaloneFlinkClusterExtension.class})
class FlinkSubmitIT {
  /** Where deploy's package phase copies the shaded preprocess job jar. */
  static final Path JOB_JAR = Path.of("target", "flink-jobs", "preprocess-job.jar");

  record Run(int code, String out, String err) {}

  static Run pipeline(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = PipelineCli.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void submittedJobDecodesEveryGoodImageOnceAndDeadLettersTheBrokenOnes(KafkaSettings kafka,
      StandaloneFlinkCluster flink) throws Exception {
    assertTrue(Files.isRegularFile(JOB_JAR), "no job jar at " + JOB_JAR.toAbsolutePath() + "; run after package");
    var synthetic = new SyntheticDataset(new SyntheticDataset.Config(2, 10, 2, 2, 7));
    var publisher = new DatasetPublisher(kafka, new DatasetPublisher.Config("flink-it", 2, 1 << 20, Duration.ofSeconds(5)));
    String raw = publisher.publish(synthetic, "train", publisher.defaultTopic(synthetic, "train")).topic();
    Topic<String, AugmentedSample> samples = Topics.samples("synthetic", "flink-it", "train");
    Topic<String, DeadLetter> dead = Topics.deadLetters(raw);
    try (TopicAdmin admin = new TopicAdmin(kafka)) {
      admin.ensure(List.of(TopicAdmin.spec(samples.name(), 2), TopicAdmin.spec(dead.name(), 1)), Duration.ofSeconds(30));
    }

    Run r = pipeline("flink", "submit", "--rest", flink.restUrl().toString(), "--jar", JOB_JAR.toString(),
        "--parallelism", "2", "--wait", "--wait-timeout", "120", "--",
        "--bootstrap", kafka.bootstrap(), "--raw-topic", raw, "--samples-topic", samples.name(),
        "--preset", "train", "--image-size", "32", "--epoch", "1", "--seed", "7");

    assertEquals(0, r.code(), r.toString());
    List<String> out = r.out().lines().toList();
    assertEquals(2, out.size(), r.out());
    assertTrue(out.get(0).matches("[0-9a-f]{32}"), "job id first: " + r.out());
    assertEquals("FINISHED", out.get(1));
    Map<String, Integer> perKey = new HashMap<>();
    for (AugmentedSample s : read(kafka, samples)) {
      perKey.merge(s.getKey(), 1, Integer::sum);
      assertEquals(32, s.getHeight());
      assertEquals(32, s.getWidth());
      assertEquals(32 * 32 * 3, s.getPixels().remaining());
      assertEquals(1, s.getEpoch());
    }
    assertEquals(20, perKey.size(), "every good image: " + perKey.keySet());
    assertTrue(perKey.values().stream().allMatch(n -> n == 1), "each exactly once: " + perKey);
    List<DeadLetter> letters = read(kafka, dead);
    assertEquals(2, letters.size());
    letters.forEach(d -> assertTrue(d.getKey().startsWith("broken_"), d.getKey()));
  }

  @Test
  void aJobThatCannotStartIsAnErrorWithFlinksReason(StandaloneFlinkCluster flink) {
    Run r = pipeline("flink", "submit", "--rest", flink.restUrl().toString(), "--jar", JOB_JAR.toString(), "--",
        "--raw-topic", "mnpipe.images.none", "--samples-topic", "mnpipe.samples.none");

    assertEquals(1, r.code(), r.toString());
    String first = r.err().lines().findFirst().orElse("");
    assertTrue(first.startsWith("error: Flink refused POST /jars/") && first.endsWith(
        "preprocess job: Missing required option: '--bootstrap=HOST:PORT' (--help lists the arguments)"), r.err());
    assertTrue(r.err().contains("Flink's errors:\n  org.apache.flink.runtime.rest.handler.RestHandlerException"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack frames: " + r.err());
    assertEquals("", r.out(), "no job id without a job");
  }

  @Test
  void anUnreachableEndpointIsOneLine() {
    Run r = pipeline("flink", "submit", "--rest", "http://127.0.0.1:1", "--jar", JOB_JAR.toString());

    assertEquals(1, r.code(), r.toString());
    assertEquals(List.of("error: no Flink REST endpoint reachable at http://127.0.0.1:1/ (connection refused); "
        + "check --rest and that the JobManager runs"), r.err().lines().toList());
  }

  private static <V> List<V> read(KafkaSettings kafka, Topic<String, V> topic) {
    List<V> out = new ArrayList<>();
    BoundedReader.read(kafka, topic.name(), null, topic.keySerde().deserializer(), topic.valueSerde().deserializer(),
        rec -> out.add(rec.value()), Duration.ofSeconds(30));
    return out;
  }
}
