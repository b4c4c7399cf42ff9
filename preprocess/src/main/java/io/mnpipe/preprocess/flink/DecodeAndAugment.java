package io.mnpipe.preprocess.flink;

import io.mnpipe.preprocess.augment.AugmentPreset;
import io.mnpipe.preprocess.augment.PresetDecoder;
import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.preprocess.image.UndecodableImageException;
import io.mnpipe.schemas.EpochEnd;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.RawImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Raw images of an epoch in, augmented uint8 samples tagged with that epoch out; anything that
 * does not decode (or was not a RawImage record at all) goes to the {@link #DEAD_LETTERS} side
 * output with its reason and original bytes, and the job goes on.
 */
public final class DecodeAndAugment extends ProcessFunction<EpochImage, AugmentedSample> {
  private int endOfEpochPartitions;
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
  /** Accumulator names; the job result carries their totals. */
  public static final String DECODED = "decoded";
  public static final String DEAD_LETTERED = "dead_lettered";

  private final AugmentPreset preset;
  private final long maxPixels;
  private final String accumulatorSuffix;
  private transient PresetDecoder decoder;
  private transient Counter decodedMetric;
  private transient Counter deadMetric;
  private transient LongCounter decodedCount;
  private transient LongCounter deadCount;

  public DecodeAndAugment(AugmentPreset preset, long maxPixels, String accumulatorSuffix) {
    this.preset = preset;
    this.maxPixels = maxPixels;
    this.accumulatorSuffix = accumulatorSuffix;
  }

  @Override
  public void open(OpenContext ctx) {
    decoder = new PresetDecoder(preset, maxPixels);
    decodedMetric = getRuntimeContext().getMetricGroup().counter("imagesDecoded");
    deadMetric = getRuntimeContext().getMetricGroup().counter("imagesDeadLettered");
    decodedCount = new LongCounter();
    deadCount = new LongCounter();
    getRuntimeContext().addAccumulator(DECODED + accumulatorSuffix, decodedCount);
    getRuntimeContext().addAccumulator(DEAD_LETTERED + accumulatorSuffix, deadCount);
  }

  @Override
  public void processElement(EpochImage in, Context ctx, Collector<AugmentedSample> out) {
    if (in.isEndOfEpoch()) {
      // One per partition of the samples topic: each partition must show its readers the epoch's end.
      EpochEnd end = new EpochEnd(in.epoch, in.endOfEpochWriter, in.writers);
      for (int p = 0; p < endOfEpochPartitions; p++) {
        out.collect(end.inJob(p));
      }
      return;
    }
    if (in.image == null) {
      deadLetter(ctx, in.key, in.error, "kafka", in.unreadable);
      return;
    }
    RawImage raw = in.image;
    byte[] bytes = bytes(raw.getImage());
    RgbImage view;
    try {
      view = decoder.decodeAndAugment(bytes, raw.getKey(), in.epoch);
    } catch (UndecodableImageException | RuntimeException e) {
      deadLetter(ctx, raw.getKey(), e.getMessage() == null ? e.toString() : e.getMessage(), raw.getSource(), bytes);
      return;
    }
    decodedMetric.inc();
    decodedCount.add(1);
    out.collect(AugmentedSample.newBuilder().setKey(raw.getKey()).setLabel(raw.getLabel()).setEpoch(in.epoch)
        .setHeight(view.height()).setWidth(view.width()).setChannels(3).setPixels(ByteBuffer.wrap(view.rgb()))
        .build());
  }

  /** End-of-epoch markers go out once per partition of a samples topic with this many; 0 = none expected. */
  public DecodeAndAugment withEndOfEpochMarkers(int partitions) {
    this.endOfEpochPartitions = partitions;
    return this;
  }

  @Override
  public void close() throws Exception {
    if (decoder != null) {
      decoder.close(); // frees the native decompressor
    }
    super.close();
  }

  private void deadLetter(Context ctx, String key, String reason, String source, byte[] payload) {
    deadMetric.inc();
    deadCount.add(1);
    ctx.output(DEAD_LETTERS, DeadLetter.newBuilder().setKey(key).setStage("preprocess").setReason(reason)
        .setSource(source).setPayload(ByteBuffer.wrap(payload)).setTime(Instant.now()).build());
  }

  private static byte[] bytes(ByteBuffer b) {
    if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
      return b.array();
    }
    byte[] copy = new byte[b.remaining()];
    b.duplicate().get(copy);
    return copy;
  }
}
