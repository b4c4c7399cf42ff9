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

  LeadLimitedReader(SourceReader<T, HybridSourceSplit> reader, LeadGate gate, int firstEpoch) {
    this.reader = reader;
    this.gate = gate;
    this.firstEpoch = firstEpoch;
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
    return gate.open(epoch()) ? reader.pollNext(output) : InputStatus.NOTHING_AVAILABLE;
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
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
