package io.mnpipe.preprocess.flink;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.kafka.TopicAdmin;
import io.mnpipe.kafka.TrainerGroups;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an epoch source may emit now: open while the samples topic's end is at most
 * {@link FlowControl#maxLead()} records past what the slowest trainer group has consumed. Asks
 * the brokers at most every {@link #REFRESH_NANOS}; if they cannot answer it stays open (a metrics
 * hiccup must not stall preprocessing) and says so once.
 *
 * <p>Liveness: a trainer whose offsets have not moved for {@link #STALLED_NANOS} while the gate is
 * closed is waiting for samples it cannot have yet: say, the rest of an epoch still in this job's
 * shuffle buffers, while it holds back the next epoch's first records. The gate opens then, or the
 * two would wait for each other forever; the lead overshoots by what arrives until the trainer moves.
 */
final class LeadGate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeadGate.class);
  static final long REFRESH_NANOS = 250_000_000L;
  static final long STALLED_NANOS = 3_000_000_000L;
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
  private long consumedSum = -1;
  private long consumedMovedAt;

  LeadGate(KafkaSettings kafka, String samplesTopic, FlowControl flow) {
    this.admin = new TopicAdmin(kafka);
    this.topic = samplesTopic;
    this.flow = flow;
  }

  /** True if the source may emit; re-asks the brokers when the last answer is older than the refresh. */
  boolean open() {
    long now = System.nanoTime();
    if (now - checkedAt < REFRESH_NANOS) {
      return open;
    }
    checkedAt = now;
    boolean was = open;
    try {
      lead = lead();
      boolean stalled = now - consumedMovedAt >= STALLED_NANOS;
      open = lead <= flow.maxLead() || stalled;
      if (!was && open && stalled && lead > flow.maxLead()) {
        LOG.info("{}: the slowest trainer has not moved for {} s: it waits for samples still to come; resuming",
            topic, STALLED_NANOS / 1_000_000_000L);
        consumedMovedAt = now; // give it the time to move again before judging once more
      }
    } catch (RuntimeException e) {
      open = true;
      if (!warned) {
        warned = true;
        LOG.warn("cannot read the trainers' progress on {} ({}); not holding the source back", topic, e.getMessage());
      }
    }
    if (was && !open) {
      pausedSince = now;
      LOG.info("{}: {} records ahead of the slowest trainer of {} (max lead {}): pausing", topic, lead,
          flow.trainerGroups(), flow.maxLead());
    } else if (!was && open) {
      pausedNanos += now - pausedSince;
      LOG.info("{}: lead down to {} records: resuming after {} ms", topic, lead,
          TimeUnit.NANOSECONDS.toMillis(now - pausedSince));
    }
    return open;
  }

  /** Records between the topic's end and the slowest trainer, summed over partitions. */
  private long lead() {
    if (partitions < 0) {
      partitions = TopicAdmin.await(admin.admin().describeTopics(java.util.List.of(topic)).allTopicNames(), TIMEOUT,
          "describe " + topic).get(topic).partitions().size();
    }
    Map<Integer, Long> ends = TopicAdmin.offsets(admin.admin(), topic, partitions, OffsetSpec.latest(), TIMEOUT);
    var slowest = TrainerGroups.slowest(admin.admin(), flow.trainerGroups(), topic, partitions, TIMEOUT);
    long sum = 0;
    long consumed = 0;
    for (int p = 0; p < partitions; p++) {
      long c = slowest.consumed().getOrDefault(p, 0L);
      if (c == Long.MAX_VALUE) {
        continue; // every trainer is done: nothing to wait for
      }
      consumed += c;
      sum += Math.max(0, ends.get(p) - c);
    }
    if (consumed != consumedSum) {
      consumedSum = consumed;
      consumedMovedAt = System.nanoTime();
    }
    return sum;
  }

  /** Nanoseconds the gate has been closed so far. */
  long pausedNanos() {
    return pausedNanos + (open ? 0 : System.nanoTime() - pausedSince);
  }

  long lastLead() {
    return lead;
  }

  @Override
  public void close() {
    admin.close();
  }
}
