package io.mnpipe.ingest.publish;

import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.Topics;
import io.mnpipe.schemas.avro.DeadLetter;
import io.mnpipe.schemas.avro.PublishProgress;
import io.mnpipe.schemas.avro.RawImage;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress topic and the target topic in, where a publish must resume out: the source index
 * of the last recorded checkpoint, plus the keys that reached Kafka after it (sent, acknowledged
 * or not, before the publisher died), which the resumed run skips. Together they give no
 * duplicates and no gaps without reading the whole topic.
 */
record ResumePoint(PublishProgress recorded, Set<String> present, Set<String> presentRejected,
    Map<Integer, Long> offsets, long rejectedOffset, long published, long rejected, long bytes, long[] counts) {
  private static final Logger LOG = LoggerFactory.getLogger(ResumePoint.class);
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

  long nextIndex() {
    return recorded == null ? 0 : recorded.getNextIndex();
  }

  boolean complete() {
    return recorded != null && recorded.getComplete();
  }

  static ResumePoint load(KafkaSettings kafka, Topic<String, RawImage> topic, String source, int classes) {
    try (BoundedReader reader = new BoundedReader(kafka, "mnpipe-ingest-resume", READ_TIMEOUT)) {
      return load(reader, topic, source, classes);
    }
  }

  private static ResumePoint load(BoundedReader reader, Topic<String, RawImage> topic, String source, int classes) {
    PublishProgress last = lastProgress(reader, topic.name());
    if (last != null && !last.getSource().equals(source)) {
      throw new IllegalStateException("topic " + topic.name() + " holds a publish of '" + last.getSource()
          + "', not of '" + source + "'; give another --topic or --version");
    }
    long[] counts = new long[classes];
    if (last != null) {
      List<Long> c = last.getCounts();
      for (int i = 0; i < Math.min(c.size(), classes); i++) {
        counts[i] = c.get(i);
      }
    }
    if (last != null && last.getComplete()) {
      return new ResumePoint(last, Set.of(), Set.of(), Map.of(), last.getRejectedOffset(), last.getPublished(),
          last.getRejected(), last.getBytes(), counts);
    }
    Map<Integer, Long> from = last == null ? null : toPartitions(last.getOffsets());
    Set<String> present = new HashSet<>();
    long[] tail = new long[2]; // records, bytes
    Map<Integer, Long> end = reader.readTopic(topic.name(), from, topic.keySerde().deserializer(),
        topic.valueSerde().deserializer(), r -> {
          if (present.add(r.key())) {
            tail[0]++;
            tail[1] += r.value().getImage().remaining();
            if (r.value().getLabel() >= 0 && r.value().getLabel() < classes) {
              counts[r.value().getLabel()]++;
            }
          }
        });
    Topic<String, DeadLetter> rejectedTopic = Topics.rejected(topic.name());
    Set<String> presentRejected = new HashSet<>();
    Map<Integer, Long> rejectedFrom = last == null ? null : Map.of(0, last.getRejectedOffset());
    Map<Integer, Long> rejectedEnd = reader.readTopic(rejectedTopic.name(), rejectedFrom,
        rejectedTopic.keySerde().deserializer(), rejectedTopic.valueSerde().deserializer(),
        r -> presentRejected.add(r.key()));
    if (last != null || !present.isEmpty()) {
      LOG.info("resuming {}: {} records up to the last checkpoint (source index {}), {} more found after it",
          topic.name(), last == null ? 0 : last.getPublished(), last == null ? 0 : last.getNextIndex(), present.size());
    }
    long published = (last == null ? 0 : last.getPublished()) + tail[0];
    long bytes = (last == null ? 0 : last.getBytes()) + tail[1];
    long rejected = (last == null ? 0 : last.getRejected()) + presentRejected.size();
    return new ResumePoint(last, present, presentRejected, end, rejectedEnd.getOrDefault(0, 0L), published, rejected,
        bytes, counts);
  }

  private static PublishProgress lastProgress(BoundedReader reader, String topicName) {
    Topic<String, PublishProgress> progress = Topics.publishProgress();
    PublishProgress[] last = new PublishProgress[1];
    reader.readTopic(progress.name(), null, progress.keySerde().deserializer(), progress.valueSerde().deserializer(),
        r -> {
          if (topicName.equals(r.key())) {
            last[0] = r.value();
          }
        });
    return last[0];
  }

  private static Map<Integer, Long> toPartitions(Map<String, Long> offsets) {
    Map<Integer, Long> m = new HashMap<>();
    offsets.forEach((p, o) -> m.put(Integer.parseInt(p), o));
    return m;
  }
}
