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
 * Records in, the same records in a shuffled order out: a reservoir of {@code size} per subtask
 * (tf.data's shuffle buffer). Once full, each arriving record replaces a random resident, which is
 * emitted; at the end of input the rest leave in random order. The random stream is seeded from
 * (seed, subtask) and the draw count, and the buffer is checkpointed, so for a given seed,
 * parallelism and input order per subtask the output order is always the same.
 *
 * <p>Epochs never mix (tf.data's shuffle-then-repeat): the first record of a later epoch drains the
 * buffer of the earlier one, in random order, before it goes in. Otherwise a buffer larger than a
 * subtask's share of an epoch would hand the trainer epoch 2 samples before the end of epoch 1.
 */
public final class ShuffleBuffer<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T>, BoundedOneInput {
  private final int size;
  private final long seed;
  private final TypeInformation<T> type;
  private final EpochOf<T> epochOf;
  private transient List<T> buffer;
  private transient int bufferEpoch;
  private transient long draws;
  private transient ListState<T> bufferState;
  private transient ListState<Long> drawsState;

  /** The epoch a record belongs to. */
  @FunctionalInterface
  public interface EpochOf<T> extends java.io.Serializable {
    int epoch(T record);
  }

  /** A buffer for input without epochs. */
  public ShuffleBuffer(int size, long seed, TypeInformation<T> type) {
    this(size, seed, type, t -> 0);
  }

  public ShuffleBuffer(int size, long seed, TypeInformation<T> type, EpochOf<T> epochOf) {
    if (size < 1) {
      throw new IllegalArgumentException("shuffle buffer size must be >= 1, got " + size);
    }
    this.size = size;
    this.seed = seed;
    this.type = type;
    this.epochOf = epochOf;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    bufferState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("shuffle-buffer", type));
    drawsState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("shuffle-draws", Long.class));
    buffer = new ArrayList<>(size);
    draws = 0;
    bufferEpoch = Integer.MIN_VALUE;
    for (T t : bufferState.get()) {
      buffer.add(t);
      bufferEpoch = Math.max(bufferEpoch, epochOf.epoch(t));
    }
    for (Long d : drawsState.get()) {
      draws = Math.max(draws, d);
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    bufferState.update(buffer);
    drawsState.update(List.of(draws));
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    int epoch = epochOf.epoch(element.getValue());
    if (epoch > bufferEpoch) {
      drain();
      bufferEpoch = epoch;
    }
    if (buffer.size() < size) {
      buffer.add(element.getValue());
      return;
    }
    int i = nextIndex(size);
    T out = buffer.get(i);
    buffer.set(i, element.getValue());
    output.collect(new StreamRecord<>(out));
  }

  @Override
  public void endInput() {
    drain();
  }

  private void drain() {
    while (!buffer.isEmpty()) {
      int i = nextIndex(buffer.size());
      T out = buffer.get(i);
      buffer.set(i, buffer.get(buffer.size() - 1));
      buffer.remove(buffer.size() - 1);
      output.collect(new StreamRecord<>(out));
    }
  }

  /** The draw-th random index in [0, bound): a function of (seed, subtask, draw) alone. */
  private int nextIndex(int bound) {
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + subtask * 0xBF58476D1CE4E5B9L + draws++);
    return rng.nextInt(bound);
  }
}
