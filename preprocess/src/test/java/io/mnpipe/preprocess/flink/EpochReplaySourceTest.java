package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.SupportsIntermediateNoMoreSplits;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.connector.base.source.hybrid.HybridSourceEnumeratorState;
import org.apache.flink.connector.base.source.hybrid.HybridSourceSplit;
import org.apache.flink.connector.base.source.hybrid.SourceReaderFinishedEvent;
import org.apache.flink.connector.base.source.hybrid.SwitchSourceEvent;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** EpochReplaySource's repairs, driven the way the source coordinator drives them. */
class EpochReplaySourceTest {

  /**
   * Reader 1 finishes epoch source 0, dies before the next checkpoint and comes back from one taken
   * before its end. Flink's HybridSource alone still counts it as finished and, as soon as reader 0
   * finishes, switches both to epoch source 1: the restarted reader's rest of epoch 0 is lost.
   */
  @Test
  void aReaderRestoredBehindTheEndOfAnEpochItHadFinishedHoldsTheSwitchUntilItFinishesAgain() {
    var coordinator = new RecordingContext();
    var enumerator = twoEpochs(coordinator);
    coordinator.switches.clear();

    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(0)); // reader 1 finished epoch 0
    coordinator.registered.remove(1); // it dies: the coordinator resets it
    coordinator.registered.put(1, new ReaderInfo(1, "restarted"));
    enumerator.addReader(1);
    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(-1)); // restored with a split of epoch 0
    assertEquals(List.of("1->0"), coordinator.switches, "caught up on epoch 0");

    enumerator.handleSourceEvent(0, new SourceReaderFinishedEvent(0)); // reader 0 finishes
    assertEquals(List.of("1->0"), coordinator.switches, "no switch while reader 1 reads the rest of epoch 0");

    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(0)); // and so does reader 1, again
    assertEquals(List.of("1->0", "0->1", "1->1"), coordinator.switches);
  }

  @Test
  void aReaderThatFailedAfterItFinishedAndIsNotBackYetHoldsTheSwitch() {
    var coordinator = new RecordingContext();
    var enumerator = twoEpochs(coordinator);
    coordinator.switches.clear();

    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(0));
    coordinator.registered.remove(1); // failed, restart pending
    enumerator.handleSourceEvent(0, new SourceReaderFinishedEvent(0));
    assertEquals(List.of(), coordinator.switches);

    coordinator.registered.put(1, new ReaderInfo(1, "restarted"));
    enumerator.addReader(1);
    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(-1));
    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(0));
    assertEquals(List.of("1->0", "0->1", "1->1"), coordinator.switches);
  }

  @Test
  void readersThatAllFinishAnEpochSwitchToTheNextAtOnce() {
    var coordinator = new RecordingContext();
    var enumerator = twoEpochs(coordinator);
    assertEquals(List.of("0->0", "1->0"), coordinator.switches);
    enumerator.handleSourceEvent(0, new SourceReaderFinishedEvent(0));
    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(0));
    assertEquals(List.of("0->0", "1->0", "0->1", "1->1"), coordinator.switches);
    enumerator.handleSourceEvent(0, new SourceReaderFinishedEvent(1)); // the last epoch: nothing to switch to
    enumerator.handleSourceEvent(1, new SourceReaderFinishedEvent(1));
    assertEquals(4, coordinator.switches.size());
  }

  /** Two epochs (number sequences), both readers registered and started on the first. */
  private static SplitEnumerator<HybridSourceSplit, HybridSourceEnumeratorState> twoEpochs(RecordingContext c) {
    @SuppressWarnings("unchecked")
    var source = (EpochReplaySource<Long>) EpochReplaySource.of(
        List.of(new NumberSequenceSource(0, 9), new NumberSequenceSource(10, 19)));
    var enumerator = source.createEnumerator(c);
    enumerator.start();
    for (int r = 0; r < 2; r++) {
      c.registered.put(r, new ReaderInfo(r, "host"));
      enumerator.addReader(r);
      enumerator.handleSourceEvent(r, new SourceReaderFinishedEvent(-1)); // what a fresh reader says first
    }
    return enumerator;
  }

  @Test
  void aReaderSwitchedBackToAnOlderEpochIsToldNoMoreSplitsComeForIt() {
    var coordinator = new RecordingContext();
    var context = new EpochReplaySource.CatchUpContext(coordinator, 0, false);

    context.sendEventToSourceReader(0, new SwitchSourceEvent(0, null, false)); // cold start, live enumerator
    context.sendEventToSourceReader(1, new SwitchSourceEvent(0, null, false));
    assertEquals(List.of(), coordinator.intermediateNoMoreSplits);

    context.sendEventToSourceReader(0, new SwitchSourceEvent(1, null, true)); // epoch switch, all readers
    context.sendEventToSourceReader(1, new SwitchSourceEvent(1, null, true));
    assertEquals(List.of(), coordinator.intermediateNoMoreSplits);

    context.sendEventToSourceReader(1, new SwitchSourceEvent(0, null, false)); // subtask 1 restored behind
    assertEquals(List.of(1), coordinator.intermediateNoMoreSplits);
    assertEquals(5, coordinator.events.size(), "every event still reaches the reader");
  }

  @Test
  void aRestoredEnumeratorKnowsItsEpoch() {
    var coordinator = new RecordingContext();
    var context = new EpochReplaySource.CatchUpContext(coordinator, 2, false);
    context.sendEventToSourceReader(0, new SwitchSourceEvent(0, null, false));
    context.sendEventToSourceReader(0, new SwitchSourceEvent(2, null, true));
    assertEquals(List.of(0), coordinator.intermediateNoMoreSplits);
  }

  @Test
  void readersAttachingToAFullyAssignedRestoredEpochAreToldNoMoreSplitsCome() {
    var coordinator = new RecordingContext();
    var context = new EpochReplaySource.CatchUpContext(coordinator, 0, true);
    context.sendEventToSourceReader(0, new SwitchSourceEvent(0, null, false));
    context.sendEventToSourceReader(1, new SwitchSourceEvent(0, null, false));
    assertEquals(List.of(0, 1), coordinator.intermediateNoMoreSplits);
    context.sendEventToSourceReader(0, new SwitchSourceEvent(1, null, true)); // the next epoch: a fresh enumerator
    assertEquals(List.of(0, 1), coordinator.intermediateNoMoreSplits);
    assertEquals(List.of(), coordinator.finalNoMoreSplits);

    var last = new RecordingContext();
    new EpochReplaySource.CatchUpContext(last, 1, true).sendEventToSourceReader(0, new SwitchSourceEvent(1, null, true));
    assertEquals(List.of(0), last.finalNoMoreSplits, "the last epoch ends the input");
  }

  @Test
  void aContextWithoutIntermediateNoMoreSplitsIsRefused() {
    var plain = new RecordingContext() {};
    SplitEnumeratorContext<HybridSourceSplit> notSupporting = new SplitEnumeratorContext<>() {
      public SplitEnumeratorMetricGroup metricGroup() { return null; }
      public void sendEventToSourceReader(int s, SourceEvent e) {}
      public int currentParallelism() { return 1; }
      public Map<Integer, ReaderInfo> registeredReaders() { return Map.of(); }
      public void assignSplits(SplitsAssignment<HybridSourceSplit> a) {}
      public void signalNoMoreSplits(int s) {}
      public <T> void callAsync(Callable<T> c, BiConsumer<T, Throwable> h) {}
      public <T> void callAsync(Callable<T> c, BiConsumer<T, Throwable> h, long i, long p) {}
      public void runInCoordinatorThread(Runnable r) {}
    };
    assertThrows(IllegalArgumentException.class, () -> new EpochReplaySource.CatchUpContext(notSupporting, 0, false));
    new EpochReplaySource.CatchUpContext(plain, 0, false);
  }

  /** Records what the HybridSource enumerator would send to the readers. */
  static class RecordingContext implements SplitEnumeratorContext<HybridSourceSplit>, SupportsIntermediateNoMoreSplits {
    final List<SourceEvent> events = new ArrayList<>();
    final List<Integer> intermediateNoMoreSplits = new ArrayList<>();
    final List<Integer> finalNoMoreSplits = new ArrayList<>();
    final List<String> switches = new ArrayList<>(); // "subtask->source"
    final Map<Integer, ReaderInfo> registered = new TreeMap<>();

    public void signalIntermediateNoMoreSplits(int subtask) { intermediateNoMoreSplits.add(subtask); }
    public SplitEnumeratorMetricGroup metricGroup() { return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup(); }
    public void sendEventToSourceReader(int subtask, SourceEvent event) {
      events.add(event);
      if (event instanceof SwitchSourceEvent s) {
        switches.add(subtask + "->" + s.sourceIndex());
      }
    }
    public int currentParallelism() { return 2; }
    public Map<Integer, ReaderInfo> registeredReaders() { return Map.copyOf(registered); }
    public void assignSplits(SplitsAssignment<HybridSourceSplit> assignment) {}
    public void signalNoMoreSplits(int subtask) { finalNoMoreSplits.add(subtask); }
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {}
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {}
    public void runInCoordinatorThread(Runnable runnable) {}
    public void setIsProcessingBacklog(boolean backlog) {}
  }
}
