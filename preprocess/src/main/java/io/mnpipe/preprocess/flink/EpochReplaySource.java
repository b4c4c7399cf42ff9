package io.mnpipe.preprocess.flink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.SupportsIntermediateNoMoreSplits;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.base.source.hybrid.HybridSourceEnumeratorState;
import org.apache.flink.connector.base.source.hybrid.HybridSourceSplit;
import org.apache.flink.connector.base.source.hybrid.SwitchSourceEvent;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bounded source per epoch in, the epochs one after another out: Flink's {@link HybridSource}
 * with one repair for regional failover.
 *
 * <p>Why: the job's subtasks are independent pipelines, so Flink restarts only the failed one and
 * leaves the source coordinator where it is. A subtask restored from a checkpoint taken before an
 * epoch switch comes back with a split of the earlier epoch, while the enumerator has moved on.
 * HybridSource switches the reader back to that epoch but never tells it that no more splits
 * will come (the epoch's enumerator is closed), so the bounded Kafka reader reaches its stopping
 * offsets and then waits forever: the job never finishes. Every switch to an epoch older than
 * the current one is such a catch-up, so here each one is followed by "no more splits".
 *
 * <p>A second repair, for a global restore (all of the job reset to a checkpoint): the restored
 * Kafka enumerator of the current epoch, whose splits were all handed out before the checkpoint,
 * finds no partition change and returns before it marks "no more splits" (flink-connector-kafka
 * 5.0.0), so its bounded readers wait forever too. When the restored state shows every split of
 * that epoch assigned and the initial discovery done, readers switched to it are told themselves.
 */
public final class EpochReplaySource<T> implements Source<T, HybridSourceSplit, HybridSourceEnumeratorState> {
  private static final long serialVersionUID = 1L;

  private final HybridSource<T> epochs;
  private final List<? extends Source<T, ?, ?>> sources;

  /** @param sources the sources {@code epochs} chains, in order (to read a restored epoch's state) */
  public EpochReplaySource(HybridSource<T> epochs, List<? extends Source<T, ?, ?>> sources) {
    this.epochs = epochs;
    this.sources = List.copyOf(sources);
  }

  @Override
  public Boundedness getBoundedness() {
    return epochs.getBoundedness();
  }

  @Override
  public SourceReader<T, HybridSourceSplit> createReader(SourceReaderContext context) throws Exception {
    return epochs.createReader(context);
  }

  @Override
  public SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> createEnumerator(
      SplitEnumeratorContext<HybridSourceSplit> context) {
    return epochs.createEnumerator(new CatchUpContext(context, 0, false));
  }

  @Override
  public SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<HybridSourceSplit> context, HybridSourceEnumeratorState state) throws Exception {
    int current = state.getCurrentSourceIndex();
    return epochs.restoreEnumerator(new CatchUpContext(context, current, fullyAssigned(current, state)), state);
  }

  /** True if the restored state of source {@code index} has handed out all the splits it ever will. */
  private boolean fullyAssigned(int index, HybridSourceEnumeratorState state) throws java.io.IOException {
    if (index < 0 || index >= sources.size()) {
      return false;
    }
    Object nested = sources.get(index).getEnumeratorCheckpointSerializer()
        .deserialize(state.getWrappedStateSerializerVersion(), state.getWrappedState());
    return nested instanceof KafkaSourceEnumState k && k.initialDiscoveryFinished() && k.unassignedSplits().isEmpty();
  }

  @Override
  public SimpleVersionedSerializer<HybridSourceSplit> getSplitSerializer() {
    return epochs.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<HybridSourceEnumeratorState> getEnumeratorCheckpointSerializer() {
    return epochs.getEnumeratorCheckpointSerializer();
  }

  /**
   * The coordinator's context as the HybridSource enumerator sees it. It learns the current epoch
   * from the switch events sent to all readers, and ends every catch-up switch to an older epoch
   * with "no more splits" for that reader.
   */
  static final class CatchUpContext implements SplitEnumeratorContext<HybridSourceSplit>,
      SupportsIntermediateNoMoreSplits {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpContext.class);

    private final SplitEnumeratorContext<HybridSourceSplit> context;
    private final int restoredSource;
    private final boolean restoredFullyAssigned;
    private int currentSource;

    /**
     * @param currentSource the enumerator's current source (0 fresh, the restored one on restore)
     * @param restoredFullyAssigned the restored current source will assign nothing more
     */
    CatchUpContext(SplitEnumeratorContext<HybridSourceSplit> context, int currentSource,
        boolean restoredFullyAssigned) {
      if (!(context instanceof SupportsIntermediateNoMoreSplits)) {
        throw new IllegalArgumentException("a HybridSource needs a context with intermediate no-more-splits, got "
            + context.getClass().getName());
      }
      this.context = context;
      this.currentSource = currentSource;
      this.restoredSource = currentSource;
      this.restoredFullyAssigned = restoredFullyAssigned;
    }

    @Override
    public void sendEventToSourceReader(int subtask, SourceEvent event) {
      context.sendEventToSourceReader(subtask, event);
      afterSend(subtask, event);
    }

    @Override
    public void sendEventToSourceReader(int subtask, int attempt, SourceEvent event) {
      context.sendEventToSourceReader(subtask, attempt, event);
      afterSend(subtask, event);
    }

    private void afterSend(int subtask, SourceEvent event) {
      if (!(event instanceof SwitchSourceEvent s)) {
        return;
      }
      if (s.sourceIndex() >= currentSource) {
        currentSource = s.sourceIndex();
        if (restoredFullyAssigned && s.sourceIndex() == restoredSource) {
          // The restored enumerator will not say it: everything of this epoch is already out.
          LOG.info("subtask {} attached to restored source {}, all of whose splits were assigned before the"
              + " checkpoint: no more splits will come for it", subtask, restoredSource);
          if (s.isFinalSource()) {
            context.signalNoMoreSplits(subtask);
          } else {
            ((SupportsIntermediateNoMoreSplits) context).signalIntermediateNoMoreSplits(subtask);
          }
        }
      } else {
        // Its enumerator is closed: whatever the reader holds of that epoch is all there is.
        LOG.info("subtask {} restored behind the current epoch source {}: catching up on source {}, no more splits"
            + " will come for it", subtask, currentSource, s.sourceIndex());
        ((SupportsIntermediateNoMoreSplits) context).signalIntermediateNoMoreSplits(subtask);
      }
    }

    @Override
    public void signalIntermediateNoMoreSplits(int subtask) {
      ((SupportsIntermediateNoMoreSplits) context).signalIntermediateNoMoreSplits(subtask);
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      return context.metricGroup();
    }

    @Override
    public int currentParallelism() {
      return context.currentParallelism();
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
      return context.registeredReaders();
    }

    @Override
    public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
      return context.registeredReadersOfAttempts();
    }

    @Override
    public void assignSplits(SplitsAssignment<HybridSourceSplit> assignment) {
      context.assignSplits(assignment);
    }

    @Override
    public void assignSplit(HybridSourceSplit split, int subtask) {
      context.assignSplit(split, subtask);
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
      context.signalNoMoreSplits(subtask);
    }

    @Override
    public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler) {
      context.callAsync(callable, handler);
    }

    @Override
    public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler, long initialDelay,
        long period) {
      context.callAsync(callable, handler, initialDelay, period);
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
      context.runInCoordinatorThread(runnable);
    }

    @Override
    public void setIsProcessingBacklog(boolean backlog) {
      context.setIsProcessingBacklog(backlog);
    }
  }

  /**
   * Chains {@code sources} (at least one) into one epoch-replaying source. A single epoch is
   * wrapped too: a bounded Kafka source restored from a savepoint needs the second repair as well.
   */
  static <T> Source<T, ?, ?> of(List<? extends Source<T, ?, ?>> sources) {
    HybridSource.HybridSourceBuilder<T, ?> chain = HybridSource.builder(sources.get(0));
    for (Source<T, ?, ?> s : sources.subList(1, sources.size())) {
      chain = chain.addSource(s);
    }
    return new EpochReplaySource<>(chain.build(), sources);
  }
}
