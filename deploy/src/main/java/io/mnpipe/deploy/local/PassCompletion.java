package io.mnpipe.deploy.local;

import io.mnpipe.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A single-pass split (validation) being preprocessed in, a future out that completes once its
 * samples and dead letters together account for every published image: what the evaluator waits
 * for before it scores, now that it runs while the job still writes. Counts committed records as
 * they arrive (read_committed, values left undecoded), on a thread of its own.
 */
final class PassCompletion {
  private PassCompletion() {}

  /**
   * @param expected images published to the split
   * @param abandon completes exceptionally (or normally without the count reached) if the job ends first
   */
  static CompletableFuture<Void> watch(KafkaSettings kafka, List<String> topics, long expected,
      CompletableFuture<?> abandon) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      var props = kafka.consumer(null, "mnpipe-pass-completion");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : topics) {
          for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            parts.add(new TopicPartition(topic, p.partition()));
          }
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        long seen = 0;
        while (seen < expected) {
          boolean jobEnded = abandon.isDone(); // then its last commit is visible: read until nothing comes
          int n = consumer.poll(Duration.ofMillis(500)).count();
          seen += n;
          if (jobEnded && n == 0 && seen < expected) {
            throw new IllegalStateException("the preprocess job ended with " + seen + " of " + expected
                + " images of " + topics.get(0) + " accounted for");
          }
        }
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "pass-completion");
    t.setDaemon(true);
    t.start();
    return done;
  }
}
