package io.mnpipe.preprocess.flink;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.SampleRetention;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.kafka.TrainerGroups;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an epoch source may emit now: open while the samples topic's end (the open transaction's
 * records included) is at most {@link FlowControl#maxLead()} records past what each trainer group
 * has consumed. What is still inside the job comes on top: the shuffle buffers, at most
 * {@code parallelism x} their record cap. Asks the brokers
 * at most every {@link #REFRESH_NANOS}; if they cannot answer it stays open (a metrics hiccup must
 * not stall preprocessing) and says so once.
 *
 * <p>Liveness: a trainer with nothing left to train says which epoch it waits for
 * ({@code waiting=E} in its group's commit). If committed records it has not consumed remain, they
 * are ones it cannot use yet, its consumed offsets cannot move, and the lead cannot fall: say, the rest of epoch E is still in this job's shuffle buffers or another
 * reader, while the trainer holds the first records of E+1 back at its epoch barrier, or every
 * partition needs a record of E+1 to show that E is over. Readers at epoch E or E+1 emit for it
 * then; readers further ahead stay held. (With nothing committed left, it waits for the job's next
 * checkpoint to commit what is written, which needs no emitting.) No timer decides, so a slow training step (seconds at 224
 * on a CPU) never opens the gate by itself.
 */
/*
 * Retention: one gate of the job ({@code deletes}, subtask 0's) also deletes, once a second, the
 * samples every group has checkpointed past, from the same progress it reads for the lead.
 */
final class LeadGate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeadGate.class);
  static final long REFRESH_NANOS = 250_000_000L;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final TopicAdmin admin;
  private final String topic;
  private final FlowControl flow;
  private int partitions = -1;
  private long checkedAt;
  private volatile boolean open = true;
  private volatile long lead; // read by Flink's metric reporter too
  private volatile long pausedSince;
  private volatile long pausedNanos;
  private boolean warned;
  private boolean forWaiting;
  private final boolean deletes;
  private long deletedAt;
  private volatile long deleted;
  private boolean deleteWarned;
  static final long DELETE_EVERY_NANOS = 1_000_000_000L;

  /** @param deletes this gate also frees what the trainers have checkpointed past, if {@code flow} says so */
  LeadGate(KafkaSettings kafka, String samplesTopic, FlowControl flow, boolean deletes) {
    this.admin = new TopicAdmin(kafka);
    this.topic = samplesTopic;
    this.flow = flow;
    this.deletes = deletes && flow.deleteTrained();
  }

  /**
   * True if a reader at {@code epoch} may emit; re-asks the brokers when the last answer is older
   * than the refresh.
   */
  boolean open(int epoch) {
    long now = System.nanoTime();
    if (now - checkedAt < REFRESH_NANOS) {
      return open;
    }
    checkedAt = now;
    boolean was = open;
    try {
      if (partitions < 0) {
        partitions = TopicAdmin.await(admin.admin().describeTopics(java.util.List.of(topic)).allTopicNames(),
            TIMEOUT, "describe " + topic).get(topic).partitions().size();
      }
      Map<Integer, Long> ends = TopicAdmin.offsets(admin.admin(), topic, partitions, OffsetSpec.latest(), TIMEOUT);
      Map<Integer, Long> committed = TopicAdmin.offsets(admin.admin(), topic, partitions, OffsetSpec.latest(), true,
          TIMEOUT);
      Collection<TrainerGroups.Progress> groups = TrainerGroups.read(admin.admin(), flow.trainerGroups(), topic,
          partitions, TIMEOUT).values();
      lead = maxLead(groups, ends);
      deleteTrained(groups, now);
      open = mayEmit(epoch, groups, ends, committed, flow.maxLead());
      boolean waiting = open && lead > flow.maxLead();
      if (waiting && !forWaiting) {
        LOG.info("{}: a trainer {} records behind waits for samples of epoch {} it cannot have yet; emitting"
            + " epoch {} for it", topic, lead, waitingFor(groups), epoch);
      }
      forWaiting = waiting;
    } catch (RuntimeException e) {
      open = true;
      if (!warned) {
        warned = true;
        LOG.warn("cannot read the trainers' progress on {} ({}); not holding the source back", topic, e.getMessage());
      }
    }
    if (was && !open) {
      pausedSince = now;
      LOG.info("{}: {} records ahead of the slowest trainer of {} (max lead {}): pausing at epoch {}", topic, lead,
          flow.trainerGroups(), flow.maxLead(), epoch);
    } else if (!was && open) {
      pausedNanos += now - pausedSince;
      LOG.info("{}: lead {} records: resuming after {} ms", topic, lead,
          TimeUnit.NANOSECONDS.toMillis(now - pausedSince));
    }
    return open;
  }

  private void deleteTrained(Collection<TrainerGroups.Progress> groups, long now) {
    if (!deletes || now - deletedAt < DELETE_EVERY_NANOS) {
      return;
    }
    deletedAt = now;
    try {
      deleted += SampleRetention.deleteBelowCheckpoints(admin.admin(), groups, topic, partitions);
    } catch (RuntimeException e) {
      if (!deleteWarned) {
        deleteWarned = true;
        LOG.warn("cannot delete the trained samples of {} yet ({}); the topic's retention settings apply meanwhile",
            topic, e.getMessage());
      }
    }
  }

  /** Records this gate has deleted below the trainers' checkpoints so far. */
  long deleted() {
    return deleted;
  }

  /**
   * The gate's rule, over every trainer that is not done: a reader at {@code epoch} may emit if the
   * trainer is at most {@code maxLead} records behind {@code ends}, or if it waits for epoch E with
   * nothing to train, committed records it cannot use yet (behind {@code committedEnds}), and
   * {@code epoch <= E + 1} (what it waits for, or what shows E is over).
   */
  static boolean mayEmit(int epoch, Collection<TrainerGroups.Progress> groups, Map<Integer, Long> ends,
      Map<Integer, Long> committedEnds, long maxLead) {
    for (TrainerGroups.Progress g : groups) {
      if (g.done()) {
        continue;
      }
      boolean starvedForThis = g.waitingFor() > 0 && epoch <= g.waitingFor() + 1 && lead(g, committedEnds) > 0;
      if (lead(g, ends) > maxLead && !starvedForThis) {
        return false;
      }
    }
    return true;
  }

  /** Records between the topic's end and what {@code g} has consumed, summed over partitions. */
  static long lead(TrainerGroups.Progress g, Map<Integer, Long> ends) {
    long sum = 0;
    for (Map.Entry<Integer, Long> e : ends.entrySet()) {
      sum += Math.max(0, e.getValue() - g.consumed().getOrDefault(e.getKey(), 0L));
    }
    return sum;
  }

  private static long maxLead(Collection<TrainerGroups.Progress> groups, Map<Integer, Long> ends) {
    return groups.stream().filter(g -> !g.done()).mapToLong(g -> lead(g, ends)).max().orElse(0);
  }

  private static int waitingFor(Collection<TrainerGroups.Progress> groups) {
    return groups.stream().filter(g -> !g.done()).mapToInt(TrainerGroups.Progress::waitingFor).max().orElse(0);
  }

  /** Nanoseconds the gate has been closed so far. */
  long pausedNanos() {
    return pausedNanos + (open ? 0 : System.nanoTime() - pausedSince);
  }

  /** The largest lead over the trainers that are not done, as last read. */
  long lastLead() {
    return lead;
  }

  @Override
  public void close() {
    admin.close();
  }
}
