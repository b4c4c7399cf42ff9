package io.mnpipe.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Topic specs in, topics that exist and have a leader for every partition out. */
public final class TopicAdmin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
  private final Admin admin;
  private final String bootstrap;

  public TopicAdmin(KafkaSettings settings) {
    var props = settings.common("mnpipe-admin");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    this.admin = Admin.create(props);
    this.bootstrap = settings.bootstrap();
  }

  /** A topic of {@code partitions} partitions that holds records up to the pipeline's max size. */
  public static NewTopic spec(String name, int partitions) {
    return new NewTopic(name, partitions, (short) 1)
        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(KafkaSettings.MAX_RECORD_BYTES)));
  }

  /** A compacted topic: the latest record per key is kept forever. */
  public static NewTopic compacted(String name, int partitions) {
    return new NewTopic(name, partitions, (short) 1).configs(Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(KafkaSettings.MAX_RECORD_BYTES)));
  }

  /** Fails with a message naming the bootstrap servers when no broker answers in time. */
  public void checkReachable(Duration timeout) {
    try {
      admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException("no Kafka broker reachable at " + bootstrap
          + " within " + timeout.toSeconds() + " s; check --bootstrap", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while contacting " + bootstrap, e);
    }
  }

  /** Creates the topics that do not exist yet and waits until every partition has a leader. */
  public void ensure(Collection<NewTopic> topics, Duration timeout) {
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic t : topics) {
        if (!existing.contains(t.name())) {
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get();
          LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitLeaders(topics.stream().map(NewTopic::name).toList(), timeout);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics on " + bootstrap + ": " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Waits until every partition has a leader that serves it: a leader in the metadata is not
   * enough, since the broker may not have created the log yet and would answer produce requests
   * with NOT_LEADER_OR_FOLLOWER. ListOffsets goes to the leader's log, so its success is the test.
   */
  private void awaitLeaders(List<String> names, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get();
        boolean ready = d.values().stream().flatMap(t -> t.partitions().stream())
            .map(TopicPartitionInfo::leader).allMatch(l -> l != null && l.id() >= 0);
        if (ready) {
          Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
          d.values().forEach(t -> t.partitions().forEach(
              p -> latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
          admin.listOffsets(latest).all().get();
          return;
        }
      } catch (ExecutionException e) {
        // Metadata not propagated or log not created yet; retry until the deadline.
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions of " + names + " have no serving leader after " + timeout);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Per partition {@code 0..partitions-1} of {@code topic}, the offset {@code spec} asks for
   * ({@link OffsetSpec#earliest()}: the log start, {@link OffsetSpec#latest()}: the end).
   */
  public static Map<Integer, Long> offsets(Admin admin, String topic, int partitions, OffsetSpec spec,
      Duration timeout) {
    return offsets(admin, topic, partitions, spec, false, timeout);
  }

  /**
   * As above; {@code committedOnly}: the latest offsets as a read_committed consumer sees them (the
   * last stable offset, before any open transaction's records).
   */
  public static Map<Integer, Long> offsets(Admin admin, String topic, int partitions, OffsetSpec spec,
      boolean committedOnly, Duration timeout) {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      ask.put(new TopicPartition(topic, p), spec);
    }
    Map<Integer, Long> out = new HashMap<>();
    var options = new org.apache.kafka.clients.admin.ListOffsetsOptions(committedOnly
        ? org.apache.kafka.common.IsolationLevel.READ_COMMITTED : org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED);
    await(admin.listOffsets(ask, options).all(), timeout, "list the offsets of " + topic)
        .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
    return out;
  }

  /** The future's value within {@code timeout}, or an IllegalStateException saying what could not be done. */
  public static <T> T await(org.apache.kafka.common.KafkaFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot " + what + ": " + (e.getCause() != null ? e.getCause() : e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }

  public Admin admin() {
    return admin;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
