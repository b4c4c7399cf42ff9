package io.mnpipe.ingest.source;

/**
 * One labelled, encoded image as read from a dataset, before it becomes a Kafka record.
 *
 * @param key stable sample key, unique within a split
 * @param label class index
 * @param classId class identifier (e.g. wnid)
 * @param image encoded image bytes (JPEG or PNG)
 * @param source file or shard the image came from
 */
public record Sample(String key, int label, String classId, byte[] image, String source) {}
