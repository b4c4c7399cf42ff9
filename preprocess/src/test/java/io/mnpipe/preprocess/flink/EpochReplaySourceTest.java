package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.SupportsIntermediateNoMoreSplits;
import org.apache.flink.connector.base.source.hybrid.HybridSourceSplit;
import org.apache.flink.connector.base.source.hybrid.SwitchSourceEvent;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.junit.jupiter.api.Test;

class EpochReplaySourceTest {

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

    public void signalIntermediateNoMoreSplits(int subtask) { intermediateNoMoreSplits.add(subtask); }
    public SplitEnumeratorMetricGroup metricGroup() { return null; }
    public void sendEventToSourceReader(int subtask, SourceEvent event) { events.add(event); }
    public int currentParallelism() { return 2; }
    public Map<Integer, ReaderInfo> registeredReaders() { return Map.of(); }
    public void assignSplits(SplitsAssignment<HybridSourceSplit> assignment) {}
    public void signalNoMoreSplits(int subtask) { finalNoMoreSplits.add(subtask); }
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {}
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {}
    public void runInCoordinatorThread(Runnable runnable) {}
  }
}
