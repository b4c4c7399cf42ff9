package io.mnpipe.trainer;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.kafka.TrainerGroups;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run's progress on its samples topic, committed to its consumer group
 * ({@link TrainerGroups}): what it has consumed once a second (from a timer, so that a trainer
 * waiting for samples still shows where it is), with the epoch it waits for while it has nothing to
 * train ({@link #waitingFrom}), and what its checkpoints cover at each checkpoint. Registers the
 * group at the start (offset 0 where it has none), so that a preprocess job started alongside
 * waits for this trainer from its first record on. A failed
 * commit is logged, never fatal: the offsets are a signal for others, the checkpoint is the truth.
 */
final class GroupProgress implements TrainingLoop.Progress, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupProgress.class);
  private static final long EVERY_NANOS = 1_000_000_000L;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final TopicAdmin admin;
  private final String group;
  private final String topic;
  private final java.util.concurrent.ScheduledExecutorService timer;
  private Map<Integer, Long> checkpointed = new HashMap<>();
  private volatile Map<Integer, Long> trained;
  private Map<Integer, Long> committed;
  private int committedWaiting;
  private volatile IntSupplier waiting = () -> 0;
  private boolean warned;

  GroupProgress(KafkaSettings kafka, String group, String topic, int partitions) {
    this.admin = new TopicAdmin(kafka);
    this.group = group;
    this.topic = topic;
    try {
      // Its own offsets, even if a previous attempt marked it done: resuming, it holds the job back again.
      var now = TrainerGroups.read(admin.admin(), java.util.List.of(group), topic, partitions, TIMEOUT).get(group);
      checkpointed.putAll(now.checkpointed());
      TrainerGroups.commit(admin.admin(), group, topic, now.consumed(), checkpointed, TIMEOUT);
      committed = now.consumed();
      LOG.info("trainer group {} registered on {} ({} partitions)", group, topic, partitions);
    } catch (RuntimeException e) {
      warn(e);
    }
    timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mnpipe-group-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::commitTrained, EVERY_NANOS, EVERY_NANOS,
        java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Where the epoch the trainer waits for comes from ({@link TrainingLoop#starvedEpoch}). */
  GroupProgress waitingFrom(IntSupplier waitingFor) {
    this.waiting = waitingFor;
    return this;
  }

  @Override
  public void trained(Map<Integer, Long> next) {
    trained = next; // the timer commits it
  }

  @Override
  public synchronized void checkpointed(Map<Integer, Long> next) {
    checkpointed = new HashMap<>(next);
    commit(trained != null ? trained : next);
  }

  private synchronized void commitTrained() {
    Map<Integer, Long> t = trained != null ? trained : committed;
    if (t != null && (!t.equals(committed) || waiting.getAsInt() != committedWaiting)) {
      commit(t);
    }
  }

  private void commit(Map<Integer, Long> consumed) {
    commit(consumed, false);
  }

  private void commit(Map<Integer, Long> consumed, boolean done) {
    int waitingFor = done ? 0 : waiting.getAsInt();
    try {
      TrainerGroups.commit(admin.admin(), group, topic, consumed, checkpointed, waitingFor, done, TIMEOUT);
      committed = consumed;
      committedWaiting = waitingFor;
    } catch (RuntimeException e) {
      warn(e);
    }
  }

  private void warn(RuntimeException e) {
    if (!warned) {
      warned = true;
      LOG.warn("cannot commit the progress of {} to its consumer group (flow control and retention will not see"
          + " it; training goes on): {}", group, e.getMessage());
    }
  }

  /** The run has ended: its last offsets, marked done, so that the producer no longer waits for it. */
  @Override
  public synchronized void close() {
    timer.shutdownNow();
    Map<Integer, Long> t = trained != null ? trained : checkpointed;
    commit(t, true);
    admin.close();
  }
}
