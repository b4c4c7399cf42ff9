package io.mnpipe.preprocess.flink;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.base.source.hybrid.HybridSourceSplit;
import org.apache.flink.connector.base.source.hybrid.SwitchSourceEvent;
import org.apache.flink.core.io.InputStatus;

/**
 * An epoch source's reader that emits only while its {@link LeadGate} is open for the epoch it
 * reads (the HybridSource's current source: {@code firstEpoch} plus its index). Closed, it reports
 * nothing available and becomes available again a moment later to ask again: the task thread is
 * never blocked, so checkpoints go on (and with them the sink's transactions commit) while it waits.
 *
 * <p>Given a {@link MarkerOf}, it also marks the end of each epoch it has read: when it is switched
 * to epoch e+1 (every reader has finished e) and at the end of its input, it emits the end-of-epoch
 * marker of the epoch before, ahead of anything of the next and whatever the gate says (a trainer
 * waiting for the end of that epoch must get it). A reader restored from a checkpoint emits it for
 * the epoch before the one its restored splits belong to, so a marker is never missing; one sent
 * twice is the same marker again.
 */
final class LeadLimitedReader<T> implements SourceReader<T, HybridSourceSplit> {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mnpipe-lead-gate");
    t.setDaemon(true);
    return t;
  });

  private final SourceReader<T, HybridSourceSplit> reader;
  private final LeadGate gate;
  private final int firstEpoch;
  private volatile int sourceIndex; // of the epoch being read: switch events and restored splits say
  private final MarkerOf<T> markerOf;
  private final int writer;
  private final int writers;
  private final java.util.ArrayDeque<Integer> endsToMark = new java.util.ArrayDeque<>();
  private final java.util.Set<Integer> marked = new java.util.HashSet<>();

  /** The element that marks the end of {@code epoch} as reader {@code writer} of {@code writers} read it. */
  @FunctionalInterface
  interface MarkerOf<T> extends java.io.Serializable {
    T endOf(int epoch, int writer, int writers);
  }

  /** @param markerOf end-of-epoch markers, or null for none; {@code writer} of {@code writers} is this reader */
  LeadLimitedReader(SourceReader<T, HybridSourceSplit> reader, LeadGate gate, int firstEpoch, MarkerOf<T> markerOf,
      int writer, int writers) {
    this.reader = reader;
    this.gate = gate;
    this.firstEpoch = firstEpoch;
    this.markerOf = markerOf;
    this.writer = writer;
    this.writers = writers;
  }

  /** The epoch this reader emits now. */
  int epoch() {
    return firstEpoch + sourceIndex;
  }

  @Override
  public void start() {
    reader.start();
  }

  @Override
  public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
    if (!endsToMark.isEmpty()) {
      mark(endsToMark.poll(), output);
      return InputStatus.MORE_AVAILABLE;
    }
    if (!gate.open(epoch())) {
      return InputStatus.NOTHING_AVAILABLE;
    }
    InputStatus status = reader.pollNext(output);
    if (status == InputStatus.END_OF_INPUT && markerOf != null) {
      mark(epoch(), output); // the last epoch's end: before the end of input
    }
    return status;
  }

  private void mark(int epoch, ReaderOutput<T> output) {
    if (marked.add(epoch)) { // once per reader; a restored one may send it again, which is harmless
      output.collect(markerOf.endOf(epoch, writer, writers));
    }
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
    if (!endsToMark.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (gate.open(epoch())) {
      return reader.isAvailable();
    }
    CompletableFuture<Void> later = new CompletableFuture<>();
    TIMER.schedule(() -> later.complete(null), LeadGate.REFRESH_NANOS, TimeUnit.NANOSECONDS);
    return later;
  }

  @Override
  public List<HybridSourceSplit> snapshotState(long checkpointId) {
    return reader.snapshotState(checkpointId);
  }

  @Override
  public void addSplits(List<HybridSourceSplit> splits) {
    for (HybridSourceSplit split : splits) {
      sourceIndex = Math.max(sourceIndex, split.sourceIndex()); // a restored reader's epoch
      if (markerOf != null && split.sourceIndex() > 0) {
        // A checkpoint may have fallen between a switch and the marker it queued (pending markers
        // are not state): restored into an epoch, the reader marks the one before it again.
        endsToMark.add(firstEpoch + split.sourceIndex() - 1);
      }
    }
    reader.addSplits(splits);
  }

  @Override
  public void notifyNoMoreSplits() {
    reader.notifyNoMoreSplits();
  }

  @Override
  public void handleSourceEvents(SourceEvent event) {
    if (event instanceof SwitchSourceEvent s) {
      sourceIndex = s.sourceIndex(); // may go back: a reader restored behind the others catches up
      if (markerOf != null && s.sourceIndex() > 0) {
        endsToMark.add(firstEpoch + s.sourceIndex() - 1); // the epoch before is read, by every reader
      }
    }
    reader.handleSourceEvents(event);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    reader.notifyCheckpointComplete(checkpointId);
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    reader.notifyCheckpointAborted(checkpointId);
  }

  @Override
  public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
    reader.pauseOrResumeSplits(toPause, toResume);
  }

  @Override
  public void close() throws Exception {
    try {
      reader.close();
    } finally {
      gate.close();
    }
  }
}
