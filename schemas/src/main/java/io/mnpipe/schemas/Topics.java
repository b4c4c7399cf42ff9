package io.mnpipe.schemas;

import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.CheckpointEvent;
import io.mnpipe.schemas.avro.DatasetManifest;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.EvaluationResult;
import io.mnpipe.schemas.avro.PublishProgress;
import io.mnpipe.schemas.avro.RawImage;
import io.mnpipe.schemas.serde.AvroSerde;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;

/** The registry of every topic the pipeline reads or writes, named from dataset, version and split. */
public final class Topics {
  /** Compacted topic of dataset manifests, keyed by name/version/split. */
  public static final String DATASETS = "mnpipe.datasets";
  /** Checkpoint events, keyed by run id. */
  public static final String CHECKPOINTS = "mnpipe.checkpoints";
  /** Compacted resume points of publish runs, keyed by target topic. */
  public static final String PUBLISH_PROGRESS = "mnpipe.ingest.progress";
  /** Evaluation results, keyed by checkpoint id (compacted: one result per checkpoint). */
  public static final String EVALUATIONS = "mnpipe.evaluations";

  private Topics() {}

  /** Encoded images of one split as published by ingest. */
  public static Topic<String, RawImage> raw(String dataset, String version, String split) {
    return new Topic<>(name("images", dataset, version, split), Serdes.String(), new AvroSerde<>(RawImage.class));
  }

  /** Decoded, augmented samples of one split, as written by preprocess. */
  public static Topic<String, AugmentedSample> samples(String dataset, String version, String split) {
    return new Topic<>(name("samples", dataset, version, split), Serdes.String(),
        new AvroSerde<>(AugmentedSample.class));
  }

  /** Where a stage sends the inputs it could not process. */
  public static Topic<String, DeadLetter> deadLetters(String inputTopic) {
    return new Topic<>(inputTopic + ".dlq", Serdes.String(), new AvroSerde<>(DeadLetter.class));
  }

  /** Where ingest sends the files it refused (empty, too large, unreadable), with the reason. */
  public static Topic<String, DeadLetter> rejected(String rawTopic) {
    return new Topic<>(rawTopic + ".rejected", Serdes.String(), new AvroSerde<>(DeadLetter.class));
  }

  public static Topic<String, PublishProgress> publishProgress() {
    return new Topic<>(PUBLISH_PROGRESS, Serdes.String(), new AvroSerde<>(PublishProgress.class));
  }

  public static Topic<String, DatasetManifest> datasets() {
    return new Topic<>(DATASETS, Serdes.String(), new AvroSerde<>(DatasetManifest.class));
  }

  public static Topic<String, CheckpointEvent> checkpoints() {
    return new Topic<>(CHECKPOINTS, Serdes.String(), new AvroSerde<>(CheckpointEvent.class));
  }

  public static Topic<String, EvaluationResult> evaluations() {
    return new Topic<>(EVALUATIONS, Serdes.String(), new AvroSerde<>(EvaluationResult.class));
  }

  static String name(String kind, String dataset, String version, String split) {
    return String.join(".", "mnpipe", kind, sanitize(dataset), sanitize(version), sanitize(split));
  }

  private static String sanitize(String part) {
    String s = part.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty topic name part");
    }
    return s;
  }
}
