package io.mnpipe.preprocess.flink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.apache.flink.connector.base.source.hybrid.SourceReaderFinishedEvent;
import org.apache.flink.connector.base.source.hybrid.SwitchSourceEvent;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bounded source per epoch in, the epochs one after another out: Flink's {@link HybridSource}
 * with three repairs, for regional failover and for a global restore.
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
 *
 * <p>A third repair, for regional failover again: HybridSource counts a reader that has finished
 * the current epoch in a set that nothing but the epoch switch clears, not even the restart of that
 * reader. A reader that finished, died before the next checkpoint and came back behind its end still
 * counts as finished; once the others finish, every reader is switched to the next epoch, the
 * restarted one included, whose unread rest of the epoch is then dropped (HybridSourceReader closes
 * the old reader): samples lost, one split's worth. So the switch is held back here until every
 * reader registered now has finished the epoch since it last registered; see {@link SwitchWhenAllFinished}.
 */
public final class EpochReplaySource<T> implements Source<T, HybridSourceSplit, HybridSourceEnumeratorState> {
  private static final long serialVersionUID = 1L;

  private final HybridSource<T> epochs;
  private final List<? extends Source<T, ?, ?>> sources;
  private final io.mnpipe.kafka.KafkaSettings kafka;
  private final String samplesTopic;
  private final FlowControl flow;
  private final int firstEpoch;
  private final LeadLimitedReader.MarkerOf<T> markerOf;

  /** @param sources the sources {@code epochs} chains, in order (to read a restored epoch's state) */
  public EpochReplaySource(HybridSource<T> epochs, List<? extends Source<T, ?, ?>> sources) {
    this(epochs, sources, null, null, FlowControl.NONE, 1, null);
  }

  /**
   * As above, each reader held back by {@code flow} against the trainers of {@code samplesTopic};
   * {@code firstEpoch} is the epoch of the first source; with {@code markerOf}, each reader marks the
   * end of every epoch it has read (see {@link LeadLimitedReader}).
   */
  EpochReplaySource(HybridSource<T> epochs, List<? extends Source<T, ?, ?>> sources,
      io.mnpipe.kafka.KafkaSettings kafka, String samplesTopic, FlowControl flow, int firstEpoch,
      LeadLimitedReader.MarkerOf<T> markerOf) {
    this.epochs = epochs;
    this.sources = List.copyOf(sources);
    this.kafka = kafka;
    this.samplesTopic = samplesTopic;
    this.flow = flow;
    this.firstEpoch = firstEpoch;
    this.markerOf = markerOf;
  }

  @Override
  public Boundedness getBoundedness() {
    return epochs.getBoundedness();
  }

  @Override
  public SourceReader<T, HybridSourceSplit> createReader(SourceReaderContext context) throws Exception {
    SourceReader<T, HybridSourceSplit> reader = epochs.createReader(context);
    if (!flow.enabled()) {
      return reader;
    }
    // One reader deletes for the job: the others would only repeat its requests.
    LeadGate gate = new LeadGate(kafka, samplesTopic, flow, context.getIndexOfSubtask() == 0);
    // flink_taskmanager_job_task_operator_mnpipeLeadRecords / _mnpipeSourcePausedMs on the dashboard.
    context.metricGroup().gauge("mnpipeLeadRecords", (org.apache.flink.metrics.Gauge<Long>) gate::lastLead);
    context.metricGroup().gauge("mnpipeDeletedRecords", (org.apache.flink.metrics.Gauge<Long>) gate::deleted);
    context.metricGroup().gauge("mnpipeSourcePausedMs",
        (org.apache.flink.metrics.Gauge<Long>) () -> gate.pausedNanos() / 1_000_000);
    return new LeadLimitedReader<>(reader, gate, firstEpoch, markerOf, context.getIndexOfSubtask(),
        context.currentParallelism());
  }

  @Override
  public SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> createEnumerator(
      SplitEnumeratorContext<HybridSourceSplit> context) {
    CatchUpContext catchUp = new CatchUpContext(context, 0, false);
    return new SwitchWhenAllFinished(epochs.createEnumerator(catchUp), catchUp, sources.size());
  }

  @Override
  public SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<HybridSourceSplit> context, HybridSourceEnumeratorState state) throws Exception {
    int current = state.getCurrentSourceIndex();
    CatchUpContext catchUp = new CatchUpContext(context, current, fullyAssigned(current, state));
    return new SwitchWhenAllFinished(epochs.restoreEnumerator(catchUp, state), catchUp, sources.size());
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
    /** The source each reader was last switched to, forgotten when it registers again (as HybridSource does). */
    private final Map<Integer, Integer> readerSource = new HashMap<>();

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
      readerSource.put(subtask, s.sourceIndex());
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

    /** The source the enumerator is on now. */
    int currentSource() {
      return currentSource;
    }

    /** The source {@code subtask} was last switched to, or null if none since it registered. */
    Integer sourceOf(int subtask) {
      return readerSource.get(subtask);
    }

    /** A new attempt of {@code subtask} registered: it has been switched nowhere yet. */
    void readerRegistered(int subtask) {
      readerSource.remove(subtask);
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
   * "Finished the current epoch" events in, the HybridSource enumerator's switch to the next epoch
   * out only once every registered reader has sent one since it last registered. HybridSource's own
   * count of finished readers outlives a reader's restart (see the class comment); here a reader's
   * event is held until the others have finished too, and forgotten when the reader registers
   * again or is no longer registered (it failed: its restart registers it again). The held events
   * then reach HybridSource together, so its stale entries can no longer cut an epoch short. Every
   * other call and event passes straight through.
   */
  static final class SwitchWhenAllFinished implements SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchWhenAllFinished.class);

    private final SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> epochs;
    private final CatchUpContext context;
    private final int sourceCount;
    /** Readers that finished the current epoch since they registered, with their held events. */
    private final Map<Integer, SourceEvent> finished = new TreeMap<>();

    SwitchWhenAllFinished(SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> epochs,
        CatchUpContext context, int sourceCount) {
      this.epochs = epochs;
      this.context = context;
      this.sourceCount = sourceCount;
    }

    @Override
    public void handleSourceEvent(int subtask, SourceEvent event) {
      if (!(event instanceof SourceReaderFinishedEvent f) || !finishesCurrentEpoch(subtask, f)) {
        epochs.handleSourceEvent(subtask, event);
        return;
      }
      finished.put(subtask, event);
      // A reader that failed after it finished is restored from a checkpoint, maybe behind its end.
      finished.keySet().retainAll(context.registeredReaders().keySet());
      if (finished.size() < context.currentParallelism()) {
        return;
      }
      LOG.info("every reader finished epoch source {}: switching to the next", context.currentSource());
      List<Map.Entry<Integer, SourceEvent>> all = List.copyOf(finished.entrySet());
      finished.clear();
      for (Map.Entry<Integer, SourceEvent> e : all) {
        epochs.handleSourceEvent(e.getKey(), e.getValue());
      }
    }

    /** What HybridSource would count towards the switch: the end of the current, not last, epoch. */
    private boolean finishesCurrentEpoch(int subtask, SourceReaderFinishedEvent f) {
      Integer at = context.sourceOf(subtask);
      int readerAt = at == null ? f.sourceIndex() : at; // HybridSource takes a first event's index as the reader's
      return f.sourceIndex() == readerAt && readerAt == context.currentSource() && readerAt + 1 < sourceCount;
    }

    @Override
    public void addReader(int subtask) {
      // A new attempt, restored from a checkpoint: what the old one finished does not count for it.
      if (finished.remove(subtask) != null) {
        LOG.info("subtask {} registered again after it finished epoch source {}: it must finish again",
            subtask, context.currentSource());
      }
      context.readerRegistered(subtask);
      epochs.addReader(subtask);
    }

    @Override
    public void start() {
      epochs.start();
    }

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
      epochs.handleSplitRequest(subtask, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<HybridSourceSplit> splits, int subtask) {
      epochs.addSplitsBack(splits, subtask);
    }

    @Override
    public HybridSourceEnumeratorState snapshotState(long checkpointId) throws Exception {
      return epochs.snapshotState(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      epochs.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
      epochs.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void close() throws java.io.IOException {
      epochs.close();
    }
  }

  /**
   * Chains {@code sources} (at least one) into one epoch-replaying source. A single epoch is
   * wrapped too: a bounded Kafka source restored from a savepoint needs the second repair as well.
   */
  static <T> Source<T, ?, ?> of(List<? extends Source<T, ?, ?>> sources) {
    return of(sources, null, null, FlowControl.NONE, 1, null);
  }

  /**
   * As {@link #of(List)}, held back by {@code flow} against the trainers reading {@code samplesTopic};
   * the first source replays epoch {@code firstEpoch}; {@code markerOf}: end-of-epoch markers, or null.
   */
  static <T> Source<T, ?, ?> of(List<? extends Source<T, ?, ?>> sources, io.mnpipe.kafka.KafkaSettings kafka,
      String samplesTopic, FlowControl flow, int firstEpoch, LeadLimitedReader.MarkerOf<T> markerOf) {
    HybridSource.HybridSourceBuilder<T, ?> chain = HybridSource.builder(sources.get(0));
    for (Source<T, ?, ?> s : sources.subList(1, sources.size())) {
      chain = chain.addSource(s);
    }
    return new EpochReplaySource<>(chain.build(), sources, kafka, samplesTopic, flow, firstEpoch, markerOf);
  }
}
