package io.mnpipe.preprocess.flink;

import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The preprocess job: for each pass (a split's raw images, replayed for some epochs), raw images
 * in, shuffled, decoded and augmented samples and dead letters out. Sources and sinks are plugged
 * in, so tests run the same graph with in-memory ends and {@link KafkaPasses} wires Kafka for
 * production. Checkpointing is always on: the Kafka sinks are transactional.
 */
public final class PreprocessJob {

  /**
   * One sweep over a split.
   *
   * @param name short unique name, used in operator names, uids and accumulator names
   * @param source raw images tagged with the epoch of their replay
   * @param preset train or eval augmentation
   * @param shuffle the shuffle buffer per subtask, or {@link Shuffle#NONE} to keep the input order
   * @param samples where augmented samples go
   * @param deadLetters where undecodable inputs go
   * @param endOfEpochPartitions the source emits end-of-epoch markers: each goes out as one
   *     {@code EpochEnd} sample per partition of the samples topic, this many; 0 = no markers
   */
  public record Pass(String name, Source<EpochImage, ?, ?> source, AugmentPreset preset, Shuffle shuffle,
      Sink<AugmentedSample> samples, Sink<DeadLetter> deadLetters, int endOfEpochPartitions) {
    public Pass(String name, Source<EpochImage, ?, ?> source, AugmentPreset preset, Shuffle shuffle,
        Sink<AugmentedSample> samples, Sink<DeadLetter> deadLetters) {
      this(name, source, preset, shuffle, samples, deadLetters, 0);
    }
  }

  /**
   * A shuffle buffer per subtask: at most {@code records} records and {@code bytes} bytes, kept in
   * checkpoints as {@code residents} says; 0 records means no shuffle.
   */
  public record Shuffle(int records, long bytes, ResidentState<EpochImage, ?> residents) {
    public static final Shuffle NONE = new Shuffle(0, 1, null);

    public Shuffle {
      if (records > 0 && (bytes < 1 || residents == null)) {
        throw new IllegalArgumentException("a shuffle buffer needs a byte cap >= 1 and a resident state");
      }
    }
  }

  /**
   * Bytes per subtask the shuffle buffer holds at most, unless a pass says otherwise: about 580
   * ImageNet JPEGs of ~110 KB, a checkpoint of 64 MB a subtask at most.
   */
  public static final long DEFAULT_SHUFFLE_BUFFER_BYTES = 64L << 20;

  /** Decoded and dead-lettered counts of one pass. */
  public record PassResult(String name, long decoded, long deadLettered) {}

  /** How often a checkpoint commits the sinks' transactions, unless the environment sets it. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = FaultTolerance.DEFAULT_CHECKPOINT_INTERVAL;

  private final List<Pass> passes;
  private final long maxPixels;
  private final long seed;

  public PreprocessJob(List<Pass> passes, long maxPixels, long seed) {
    if (passes.isEmpty()) {
      throw new IllegalArgumentException("a preprocess job needs at least one pass");
    }
    this.passes = List.copyOf(passes);
    this.maxPixels = maxPixels;
    this.seed = seed;
  }

  public PreprocessJob(List<Pass> passes, long maxPixels) {
    this(passes, maxPixels, 42);
  }

  /** Adds every pass to {@code env}'s graph. */
  public void build(StreamExecutionEnvironment env) {
    if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
      env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL.toMillis());
    }
    // Chained operators hand records on without a deep copy (a ~110 KB image copied per operator
    // otherwise). Safe here: no operator changes a record it received, and the source makes a new one each.
    env.getConfig().enableObjectReuse();
    TypeInformation<EpochImage> type = TypeInformation.of(EpochImage.class);
    for (Pass p : passes) {
      String id = p.name();
      DataStream<EpochImage> raw = env
          .fromSource(p.source(), WatermarkStrategy.noWatermarks(), "raw-images-" + id, type)
          .uid("raw-images-" + id);
      if (p.shuffle().records() > 0) {
        raw = raw.transform("shuffle-" + id, type, new ShuffleBuffer<>(p.shuffle().records(), p.shuffle().bytes(),
            EpochImage::sizeBytes, seed, p.shuffle().residents(), img -> img.epoch)
            .passingThrough(EpochImage::isEndOfEpoch))
            .uid("shuffle-" + id);
      }
      SingleOutputStreamOperator<AugmentedSample> samples = raw
          .process(new DecodeAndAugment(p.preset(), maxPixels, "_" + id).withEndOfEpochMarkers(
              p.endOfEpochPartitions()))
          .name("decode-augment-" + id)
          .uid("decode-augment-" + id);
      samples.sinkTo(p.samples()).name("samples-" + id).uid("samples-sink-" + id);
      samples.getSideOutput(DecodeAndAugment.DEAD_LETTERS).sinkTo(p.deadLetters())
          .name("dead-letters-" + id).uid("dead-letter-sink-" + id);
    }
  }

  /** Builds and runs the job to completion (bounded sources); returns each pass's counts. */
  public List<PassResult> execute(StreamExecutionEnvironment env, String jobName) throws Exception {
    build(env);
    JobExecutionResult r = env.execute(jobName);
    return passes.stream().map(p -> new PassResult(p.name(),
        count(r, DecodeAndAugment.DECODED + "_" + p.name()),
        count(r, DecodeAndAugment.DEAD_LETTERED + "_" + p.name()))).toList();
  }

  private static long count(JobExecutionResult r, String name) {
    Object v = r.getAccumulatorResult(name);
    return v == null ? 0 : ((Number) v).longValue();
  }
}
