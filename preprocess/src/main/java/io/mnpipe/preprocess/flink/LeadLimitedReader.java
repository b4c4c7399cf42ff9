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
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * A source reader that emits only while its {@link LeadGate} is open. Closed, it reports nothing
 * available and becomes available again a moment later to ask again: the task thread is never
 * blocked, so checkpoints go on (and with them the sink's transactions commit) while it waits.
 */
final class LeadLimitedReader<T, S extends SourceSplit> implements SourceReader<T, S> {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mnpipe-lead-gate");
    t.setDaemon(true);
    return t;
  });

  private final SourceReader<T, S> reader;
  private final LeadGate gate;

  LeadLimitedReader(SourceReader<T, S> reader, LeadGate gate) {
    this.reader = reader;
    this.gate = gate;
  }

  @Override
  public void start() {
    reader.start();
  }

  @Override
  public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
    return gate.open() ? reader.pollNext(output) : InputStatus.NOTHING_AVAILABLE;
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
    if (gate.open()) {
      return reader.isAvailable();
    }
    CompletableFuture<Void> later = new CompletableFuture<>();
    TIMER.schedule(() -> later.complete(null), LeadGate.REFRESH_NANOS, TimeUnit.NANOSECONDS);
    return later;
  }

  @Override
  public List<S> snapshotState(long checkpointId) {
    return reader.snapshotState(checkpointId);
  }

  @Override
  public void addSplits(List<S> splits) {
    reader.addSplits(splits);
  }

  @Override
  public void notifyNoMoreSplits() {
    reader.notifyNoMoreSplits();
  }

  @Override
  public void handleSourceEvents(SourceEvent event) {
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
