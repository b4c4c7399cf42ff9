package io.mnpipe.trainer.checkpoint;

import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.models.checkpoint.Checkpoint;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.CheckpointEvent;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable checkpoint in, a {@link CheckpointEvent} on the checkpoints topic out (key = run id),
 * acknowledged before it returns: an event never announces a checkpoint that is not on disk, and a
 * failed send fails the run instead of leaving the evaluator waiting.
 */
public final class CheckpointPublisher implements Consumer<Checkpoint>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointPublisher.class);
  private static final long SEND_TIMEOUT_S = 60;

  private final Topic<String, CheckpointEvent> topic;
  private final KafkaProducer<String, CheckpointEvent> producer;

  public CheckpointPublisher(KafkaSettings kafka, String clientId) {
    this(kafka, clientId, Topics.checkpoints());
  }

  public CheckpointPublisher(KafkaSettings kafka, String clientId, Topic<String, CheckpointEvent> topic) {
    this.topic = topic;
    this.producer = new KafkaProducer<>(kafka.producer(clientId), topic.keySerde().serializer(),
        topic.valueSerde().serializer());
  }

  /** The event announcing {@code c}. */
  public static CheckpointEvent event(Checkpoint c) {
    CheckpointMeta m = c.meta();
    return CheckpointEvent.newBuilder().setModel(m.model()).setRunId(m.runId()).setStep(m.step())
        .setEpoch(m.epoch()).setLocation(c.dir().toAbsolutePath().toString()).setTrainLoss(m.trainLoss())
        .setNumClasses(m.numClasses()).setImageSize(m.imageSize()).setTime(m.time()).build();
  }

  @Override
  public void accept(Checkpoint c) {
    CheckpointEvent e = event(c);
    try {
      RecordMetadata md = producer.send(new ProducerRecord<>(topic.name(), e.getRunId(), e))
          .get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
      LOG.info("published checkpoint {}/{} to {}-{}@{}", e.getRunId(), e.getStep(), md.topic(), md.partition(),
          md.offset());
    } catch (ExecutionException | TimeoutException ex) {
      Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
      throw new IllegalStateException("checkpoint " + c.dir() + " is on disk but its event could not be published"
          + " to " + topic.name() + ": " + cause.getMessage(), ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing checkpoint " + c.dir(), ex);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
