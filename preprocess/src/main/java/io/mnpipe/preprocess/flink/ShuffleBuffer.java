package io.mnpipe.preprocess.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Records in, the same records in a shuffled order out: a reservoir of at most {@code size} records
 * and {@code maxBytes} bytes per subtask (tf.data's shuffle buffer). Once full, random residents
 * leave until the arriving record fits; at the end of input the rest leave in random order. The random stream is seeded from
 * (seed, subtask) and the draw count, and the buffer is checkpointed, so for a given seed,
 * parallelism and input order per subtask the output order is always the same.
 *
 * <p>The buffer is operator state, written into every checkpoint; what is written of each record is
 * the {@link ResidentState}'s choice. Records kept whole make the checkpoint grow with the image
 * size (1,024 ImageNet JPEGs of ~110 KB are ~110 MB a subtask, every checkpoint interval), so a
 * Kafka-fed job keeps references ({@link KafkaResidents}). The byte cap bounds the heap either way.
 *
 * <p>Epochs never mix (tf.data's shuffle-then-repeat): the first record of a later epoch drains the
 * buffer of the earlier one, in random order, before it goes in. Otherwise a buffer larger than a
 * subtask's share of an epoch would hand the trainer epoch 2 samples before the end of epoch 1.
 * An end-of-epoch marker ({@link #passingThrough}) drains it too, and then goes on after the
 * epoch's last record.
 */
public final class ShuffleBuffer<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T>, BoundedOneInput {
  private final int size;
  private final long maxBytes;
  private final SizeOf<T> sizeOf;
  private final long seed;
  private final ResidentState<T, Object> residents;
  private final EpochOf<T> epochOf;
  private Marker<T> isMarker = t -> false;
  private transient List<T> buffer;
  private transient long bufferedBytes;
  private transient int bufferEpoch;
  private transient long draws;
  private transient ListState<Object> bufferState;
  private transient ListState<Long> drawsState;

  /** The epoch a record belongs to. */
  @FunctionalInterface
  public interface EpochOf<T> extends java.io.Serializable {
    int epoch(T record);
  }

  /** Whether a record is an end-of-epoch marker, not data: it is never buffered. */
  @FunctionalInterface
  public interface Marker<T> extends java.io.Serializable {
    boolean test(T record);
  }

  /** Markers drain the buffer and pass on after it: the epoch's records, then its end. */
  public ShuffleBuffer<T> passingThrough(Marker<T> markers) {
    this.isMarker = markers;
    return this;
  }

  /** The bytes a record holds in the buffer (and in a checkpoint), near enough. */
  @FunctionalInterface
  public interface SizeOf<T> extends java.io.Serializable {
    long bytes(T record);
  }

  /** A buffer for input without epochs, capped in records only, checkpointing its records whole. */
  public ShuffleBuffer(int size, long seed, TypeInformation<T> type) {
    this(size, Long.MAX_VALUE, t -> 0, seed, ResidentState.whole(type), t -> 0);
  }

  /**
   * @param size records held at most
   * @param maxBytes bytes held at most (by {@code sizeOf}); a record larger than this passes alone
   * @param residents what a checkpoint keeps of each buffered record
   */
  @SuppressWarnings("unchecked")
  public ShuffleBuffer(int size, long maxBytes, SizeOf<T> sizeOf, long seed, ResidentState<T, ?> residents,
      EpochOf<T> epochOf) {
    if (size < 1) {
      throw new IllegalArgumentException("shuffle buffer size must be >= 1, got " + size);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("shuffle buffer bytes must be >= 1, got " + maxBytes);
    }
    this.size = size;
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf;
    this.seed = seed;
    this.residents = (ResidentState<T, Object>) residents;
    this.epochOf = epochOf;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    bufferState = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("shuffle-buffer", residents.stateType()));
    drawsState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("shuffle-draws", Long.class));
    buffer = new ArrayList<>(Math.min(size, 1024));
    bufferedBytes = 0;
    draws = 0;
    bufferEpoch = Integer.MIN_VALUE;
    List<Object> states = new ArrayList<>();
    bufferState.get().forEach(states::add);
    for (T t : residents.restore(states)) {
      buffer.add(t);
      bufferedBytes += sizeOf.bytes(t);
      bufferEpoch = Math.max(bufferEpoch, epochOf.epoch(t));
    }
    for (Long d : drawsState.get()) {
      draws = Math.max(draws, d);
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    getMetricGroup().gauge("shuffleBufferBytes", () -> bufferedBytes);
    getMetricGroup().gauge("shuffleBufferRecords", () -> buffer.size());
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<Object> states = new ArrayList<>(buffer.size());
    for (T t : buffer) {
      states.add(residents.toState(t));
    }
    bufferState.update(states);
    drawsState.update(List.of(draws));
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    T in = element.getValue();
    if (isMarker.test(in)) {
      drain();
      output.collect(new StreamRecord<>(in));
      return;
    }
    int epoch = epochOf.epoch(in);
    if (epoch > bufferEpoch) {
      drain();
      bufferEpoch = epoch;
    }
    long bytes = sizeOf.bytes(in);
    while (!buffer.isEmpty() && (buffer.size() >= size || bufferedBytes + bytes > maxBytes)) {
      emitRandom();
    }
    buffer.add(in);
    bufferedBytes += bytes;
  }

  @Override
  public void endInput() {
    drain();
  }

  /** Bytes held now, by {@code sizeOf}. */
  long bufferedBytes() {
    return bufferedBytes;
  }

  private void drain() {
    while (!buffer.isEmpty()) {
      emitRandom();
    }
  }

  private void emitRandom() {
    int i = nextIndex(buffer.size());
    T out = buffer.get(i);
    buffer.set(i, buffer.get(buffer.size() - 1));
    buffer.remove(buffer.size() - 1);
    bufferedBytes -= sizeOf.bytes(out);
    output.collect(new StreamRecord<>(out));
  }

  /** The draw-th random index in [0, bound): a function of (seed, subtask, draw) alone. */
  private int nextIndex(int bound) {
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + subtask * 0xBF58476D1CE4E5B9L + draws++);
    return rng.nextInt(bound);
  }
}
