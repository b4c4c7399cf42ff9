package io.mnpipe.deploy.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A failed checkpoint's console line names its innermost cause, as Flink's REST API gives the whole trace. */
class JobWatcherTest {
  @Test
  void theLastCausedByLineIsTheCauseNamed() {
    String trace = """
        org.apache.flink.runtime.checkpoint.CheckpointException: Task local checkpoint failure.
        \tat org.apache.flink.runtime.checkpoint.PendingCheckpoint.abort(PendingCheckpoint.java:550)
        Caused by: java.lang.Exception: Could not perform checkpoint 7 for operator shuffle-train (1/2)#0.
        \tat org.apache.flink.streaming.runtime.tasks.StreamTask.triggerCheckpointOnBarrier(StreamTask.java:1)
        Caused by: java.lang.IllegalStateException: record k1 has no Kafka position to keep in a checkpoint
        \t... 12 more
        """;
    assertEquals(", caused by java.lang.IllegalStateException: record k1 has no Kafka position to keep in a checkpoint",
        JobWatcher.innermostCause(trace));
  }

  @Test
  void aMessageWithoutCausesAddsNothing() {
    assertEquals("", JobWatcher.innermostCause("Checkpoint expired before completing."));
    assertEquals("", JobWatcher.innermostCause(null));
  }
}
