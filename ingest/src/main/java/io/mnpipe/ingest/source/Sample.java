package io.mnpipe.ingest.source;

/**
 * One labelled, encoded image as read from a dataset, before it becomes a Kafka record; or, when
 * {@code rejectReason} is set, an input the source could not turn into a sample (unreadable
 * file, missing label, unknown class), which the publisher reports instead of publishing.
 *
 * @param key stable sample key, unique within a split
 * @param label class index (-1 when rejected for want of one)
 * @param classId class identifier (e.g. wnid)
 * @param image encoded image bytes (JPEG or PNG); may be empty when rejected
 * @param source file or shard (and member) the image came from
 * @param rejectReason why this input cannot be published, or null
 */
public record Sample(String key, int label, String classId, byte[] image, String source, String rejectReason) {

  public Sample(String key, int label, String classId, byte[] image, String source) {
    this(key, label, classId, image, source, null);
  }

  /** An input the source refuses, with the reason a user can act on. */
  public static Sample rejected(String key, String source, String reason, byte[] bytes) {
    return new Sample(key, -1, "", bytes == null ? new byte[0] : bytes, source, reason);
  }

  public boolean isRejected() {
    return rejectReason != null;
  }
}
