package io.mnpipe.preprocess.flink;

import io.mnpipe.schemas.avro.RawImage;
import java.util.Objects;

/**
 * One raw image as read in one epoch's replay of the raw topic; or, when {@code image} is null, a
 * Kafka record that was not a readable RawImage (kept with its bytes so it can be dead-lettered).
 * A Flink POJO: public fields and a no-argument constructor.
 */
public class EpochImage {
  /** Epoch of the replay that read it, 1-based. */
  public int epoch;
  /** The record, or null if it did not deserialize. */
  public RawImage image;
  /** Kafka key of an unreadable record. */
  public String key;
  /** Value bytes of an unreadable record. */
  public byte[] unreadable;
  /** Why the record did not deserialize. */
  public String error;
  /** Kafka partition it was read from; -1 if it did not come from Kafka. */
  public int partition = -1;
  /** Its offset in that partition; -1 if it did not come from Kafka. */
  public long offset = -1;
  /** For an end-of-epoch marker (no image): the source subtask that wrote it; -1 for an image. */
  public int endOfEpochWriter = -1;
  /** For an end-of-epoch marker: the source's parallelism. */
  public int writers;

  public EpochImage() {}

  public static EpochImage of(int epoch, RawImage image) {
    EpochImage e = new EpochImage();
    e.epoch = epoch;
    e.image = image;
    e.key = image.getKey();
    return e;
  }

  /** The end of {@code epoch} as source subtask {@code writer} of {@code writers} read it. */
  public static EpochImage endOfEpoch(int epoch, int writer, int writers) {
    EpochImage e = new EpochImage();
    e.epoch = epoch;
    e.endOfEpochWriter = writer;
    e.writers = writers;
    return e;
  }

  /** True for an end-of-epoch marker. */
  public boolean isEndOfEpoch() {
    return endOfEpochWriter >= 0;
  }

  public static EpochImage unreadable(int epoch, String key, byte[] bytes, String error) {
    EpochImage e = new EpochImage();
    e.epoch = epoch;
    e.key = key;
    e.unreadable = bytes;
    e.error = error;
    return e;
  }

  /** Bytes this record holds, near enough: the image (or unreadable value) plus a small overhead. */
  public long sizeBytes() {
    long payload = image != null ? image.getImage().remaining() : unreadable != null ? unreadable.length : 0;
    return payload + (key == null ? 0 : key.length()) + 64;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EpochImage e && epoch == e.epoch && Objects.equals(key, e.key) && Objects.equals(image, e.image);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, key);
  }

  @Override
  public String toString() {
    return "EpochImage{epoch=" + epoch + ", key=" + key + (image == null ? ", unreadable: " + error : "") + "}";
  }
}
