package io.mnpipe.preprocess.flink;

import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.RawImage;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The preprocess job: for each pass (a split of raw images with a preset and an epoch), raw
 * images in, augmented samples and dead letters out. Sources and sinks are plugged in, so tests
 * run the same graph with in-memory ends and {@link KafkaPasses} wires Kafka for production.
 */
public final class PreprocessJob {

  /**
   * One sweep over a split.
   *
   * @param name short unique name, used in operator names, uids and accumulator names
   * @param source raw images
   * @param preset train or eval augmentation
   * @param epoch epoch tag of the samples (1-based)
   * @param samples where augmented samples go
   * @param deadLetters where undecodable inputs go
   */
  public record Pass(String name, Source<RawImage, ?, ?> source, AugmentPreset preset, int epoch,
      Sink<AugmentedSample> samples, Sink<DeadLetter> deadLetters) {}

  /** Decoded and dead-lettered counts of one pass. */
  public record PassResult(String name, long decoded, long deadLettered) {}

  private final List<Pass> passes;
  private final long maxPixels;

  public PreprocessJob(List<Pass> passes, long maxPixels) {
    if (passes.isEmpty()) {
      throw new IllegalArgumentException("a preprocess job needs at least one pass");
    }
    this.passes = List.copyOf(passes);
    this.maxPixels = maxPixels;
  }

  /** Adds every pass to {@code env}'s graph. */
  public void build(StreamExecutionEnvironment env) {
    for (Pass p : passes) {
      String id = p.name();
      SingleOutputStreamOperator<AugmentedSample> samples = env
          .fromSource(p.source(), WatermarkStrategy.noWatermarks(), "raw-images-" + id)
          .uid("raw-images-" + id)
          .process(new DecodeAndAugment(p.preset(), p.epoch(), maxPixels, "_" + id))
          .name("decode-augment-" + id)
          .uid("decode-augment-" + id);
      samples.sinkTo(p.samples()).name("samples-sink-" + id).uid("samples-sink-" + id);
      samples.getSideOutput(DecodeAndAugment.DEAD_LETTERS).sinkTo(p.deadLetters())
          .name("dead-letter-sink-" + id).uid("dead-letter-sink-" + id);
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
