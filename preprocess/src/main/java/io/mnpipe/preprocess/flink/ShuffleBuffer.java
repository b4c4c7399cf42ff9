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
 */
public final class ShuffleBuffer<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T>, BoundedOneInput {
  private final int size;
  private final long seed;
  private final TypeInformation<T> type;
  private transient List<T> buffer;
  private transient long draws;
  private transient ListState<T> bufferState;
  private transient ListState<Long> drawsState;

  public ShuffleBuffer(int size, long seed, TypeInformation<T> type) {
    if (size < 1) {
      throw new IllegalArgumentException("shuffle buffer size must be >= 1, got " + size);
    }
    this.size = size;
    this.seed = seed;
    this.type = type;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    bufferState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("shuffle-buffer", type));
    drawsState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("shuffle-draws", Long.class));
    buffer = new ArrayList<>(size);
    draws = 0;
    for (T t : bufferState.get()) {
      buffer.add(t);
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
