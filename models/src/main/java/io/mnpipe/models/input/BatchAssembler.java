package io.mnpipe.models.input;

import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AugmentedSample records in, full {@link SampleBatch}es out: copies each valid sample's pixels
 * into the batch's single byte array; a sample of the wrong shape, with a label outside
 * [0, numClasses) or from an epoch beyond the last one wanted is skipped and counted, never batched.
 * Each batch carries the resume point after it: per partition, the offset after the last sample it
 * or an earlier batch holds. Cutting at epoch ends, the first sample of a later epoch closes the
 * partial batch (the epoch's short last batch; one shorter than {@link #minTrainingBatch} rides on
 * into the next one) and opens a batch flagged {@link SampleBatch#opensEpoch()}. One loader thread adds;
 * the counters may be read from any thread.
 */
public final class BatchAssembler {
  private static final Logger LOG = LoggerFactory.getLogger(BatchAssembler.class);
  /** Skipped samples named one by one in the log before it falls silent (counts go on). */
  private static final int LOGGED_SKIPS = 10;
  static final int CHANNELS = 3;
  /** Fewest samples a batch may hold at all when cutting at epoch ends: training BatchNorm needs two. */
  static final int MIN_CUT = 2;

  /** Why a sample was not batched. */
  public enum Skip {
    WRONG_SHAPE, BAD_LABEL, BEYOND_EPOCHS
  }

  private final int batchSize;
  private final int imageSize;
  private final int numClasses;
  private final int maxEpoch;
  private final boolean cutAtEpochEnd;
  private final int minCut;
  private final Map<Integer, Long> positions = new HashMap<>();
  private final AtomicLongArray skipped = new AtomicLongArray(Skip.values().length);
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private byte[] pixels;
  private int[] labels;
  private String[] keys;
  private int[] epochs;
  private int filled;
  private int epoch;
  private boolean opensEpoch;
  private int epochSeen;

  /**
   * @param maxEpoch samples of a later epoch are skipped; 0 accepts every epoch
   */
  public BatchAssembler(int batchSize, int imageSize, int numClasses, int maxEpoch) {
    this(batchSize, imageSize, numClasses, maxEpoch, false);
  }

  /**
   * @param maxEpoch samples of a later epoch are skipped; 0 accepts every epoch
   * @param cutAtEpochEnd close the partial batch when the first sample of a later epoch arrives
   */
  public BatchAssembler(int batchSize, int imageSize, int numClasses, int maxEpoch, boolean cutAtEpochEnd) {
    if (batchSize < 1 || imageSize < 1 || numClasses < 1 || maxEpoch < 0 || (cutAtEpochEnd && batchSize < MIN_CUT)) {
      throw new IllegalArgumentException("batchSize, imageSize, numClasses must be positive (batchSize >= 2 when"
          + " cutting at epoch ends) and maxEpoch >= 0");
    }
    this.batchSize = batchSize;
    this.imageSize = imageSize;
    this.numClasses = numClasses;
    this.maxEpoch = maxEpoch;
    this.cutAtEpochEnd = cutAtEpochEnd;
    this.minCut = minTrainingBatch(batchSize);
    startBatch();
  }

  /**
   * Continues a resumed run: partitions without new samples keep the resume point {@code next}, and
   * the first sample of an epoch after {@code epoch} opens a new one. Call before the first add.
   */
  public void resumeAt(Map<Integer, Long> next, int epoch) {
    positions.putAll(next);
    epochSeen = epoch;
  }

  private void startBatch() {
    pixels = new byte[batchSize * imageSize * imageSize * CHANNELS];
    labels = new int[batchSize];
    keys = new String[batchSize];
    epochs = new int[batchSize];
    filled = 0;
    epoch = 0;
    opensEpoch = false;
  }

  /** Adds one sample without a known position; returns the batch it completes, else null. */
  public SampleBatch add(AugmentedSample s) {
    return add(new SourcedSample(s, -1, -1));
  }

  /**
   * Adds one sample; returns the batch it completes, or the partial batch its epoch change cuts
   * (the sample then starts the next batch), else null.
   */
  public SampleBatch add(SourcedSample r) {
    AugmentedSample s = r.sample();
    Skip why = check(s);
    if (why != null) {
      skip(s, why);
      return null;
    }
    SampleBatch cut = null;
    if (cutAtEpochEnd && epochSeen > 0 && s.getEpoch() > epochSeen) {
      cut = filled >= minCut ? emit() : null;
      opensEpoch = true;
    }
    epochSeen = Math.max(epochSeen, s.getEpoch());
    int bytes = imageSize * imageSize * CHANNELS;
    // duplicate(): reading must not move the record's own buffer position.
    s.getPixels().duplicate().get(pixels, filled * bytes, bytes);
    labels[filled] = s.getLabel();
    keys[filled] = s.getKey();
    epochs[filled] = s.getEpoch();
    epoch = Math.max(epoch, s.getEpoch());
    filled++;
    if (r.partition() >= 0) {
      positions.put(r.partition(), r.offset() + 1);
    }
    accepted.incrementAndGet();
    return cut != null ? cut : filled < batchSize ? null : emit();
  }

  private SampleBatch emit() {
    SampleBatch b = new SampleBatch(pixels, labels, filled, imageSize, imageSize, CHANNELS, epoch, keys, epochs,
        SampleBatch.snapshot(positions), opensEpoch);
    startBatch();
    return b;
  }

  /**
   * Fewest samples a training batch may hold: half the batch size, at least {@link #MIN_CUT}. At
   * 32x32 MobileNet's last stages see 1x1 maps, so BatchNorm normalises each channel over the batch
   * alone: with the 2-sample tail of an epoch its gradient threw MobileNetV2 into NaN within ~10
   * momentum steps, at LRs down to 0.001 (LocalPipelineFallbackIT, 1 run in 8). MindCV drops such
   * remainders (drop_remainder); here an epoch's short tail rides on into the next epoch's first
   * batch, and only the last one of the input is dropped, counted in {@link #dropped()}.
   */
  public static int minTrainingBatch(int batchSize) {
    return Math.max(MIN_CUT, batchSize / 2);
  }

  /**
   * The partial batch at the end of the input, or null when it holds fewer than {@code minSize}
   * samples (those are counted in {@link #dropped()}): training BatchNorm cannot use a lone sample.
   */
  public SampleBatch flush(int minSize) {
    if (filled == 0) {
      return null;
    }
    if (filled < minSize) {
      dropped.addAndGet(filled);
      LOG.warn("dropped the last {} sample(s) of the input: a training batch needs at least {}", filled, minSize);
      startBatch();
      return null;
    }
    return emit();
  }

  private Skip check(AugmentedSample s) {
    if (maxEpoch > 0 && s.getEpoch() > maxEpoch) {
      return Skip.BEYOND_EPOCHS;
    }
    ByteBuffer px = s.getPixels();
    if (s.getHeight() != imageSize || s.getWidth() != imageSize || s.getChannels() != CHANNELS
        || px == null || px.remaining() != imageSize * imageSize * CHANNELS) {
      return Skip.WRONG_SHAPE;
    }
    if (s.getLabel() < 0 || s.getLabel() >= numClasses) {
      return Skip.BAD_LABEL;
    }
    return null;
  }

  private void skip(AugmentedSample s, Skip why) {
    long n = skipped.incrementAndGet(why.ordinal());
    if (why == Skip.BEYOND_EPOCHS) {
      return; // expected when the topic holds more epochs than asked for; counted, not alarming
    }
    if (n <= LOGGED_SKIPS) {
      LOG.warn("skipped sample '{}' ({}): label {}, {}x{}x{} with {} bytes; trainer expects {}x{}x3 and labels"
              + " in [0, {}){}", s.getKey(), why, s.getLabel(), s.getHeight(), s.getWidth(), s.getChannels(),
          s.getPixels() == null ? 0 : s.getPixels().remaining(), imageSize, imageSize, numClasses,
          n == LOGGED_SKIPS ? "; further skips of this kind are only counted" : "");
    }
  }

  /** Samples skipped for a bad shape or label (not counting later epochs). */
  public long skipped() {
    return skipped(Skip.WRONG_SHAPE) + skipped(Skip.BAD_LABEL);
  }

  public long skipped(Skip why) {
    return skipped.get(why.ordinal());
  }

  /** Samples of a short final batch that were not used. */
  public long dropped() {
    return dropped.get();
  }

  /** Samples copied into batches (including one still being filled). */
  public long accepted() {
    return accepted.get();
  }
}
