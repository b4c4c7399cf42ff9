package io.mnpipe.models.input;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One batch as it leaves the loader thread: the uint8 HWC pixels of {@code size} samples back to
 * back in one array, their labels, keys and epochs, and the resume point after it. Becomes one
 * NDArray on the device, never one per sample.
 *
 * @param pixels size*height*width*channels bytes, sample after sample, each row-major HWC RGB
 * @param labels class index of each sample (length >= size)
 * @param size samples in this batch (the last batch of an input or of an epoch may be short)
 * @param height sample height
 * @param width sample width
 * @param channels channels per pixel (3)
 * @param epoch highest input epoch among the samples, for progress lines
 * @param keys record key of each sample (length >= size), or empty where unknown
 * @param epochs input epoch of each sample (length >= size), or empty where unknown
 * @param nextOffsets partition -> offset of the first record not in this or an earlier batch: where a
 *     run resumes once this batch is trained
 * @param opensEpoch true if this batch holds the first sample of an epoch later than any before it
 */
public record SampleBatch(byte[] pixels, int[] labels, int size, int height, int width, int channels, int epoch,
    String[] keys, int[] epochs, SortedMap<Integer, Long> nextOffsets, boolean opensEpoch) {
  public SampleBatch {
    if (size < 1 || labels.length < size || pixels.length < (long) size * height * width * channels) {
      throw new IllegalArgumentException("batch of " + size + " samples " + height + "x" + width + "x" + channels
          + " needs " + (long) size * height * width * channels + " bytes and " + size + " labels, got "
          + pixels.length + " and " + labels.length);
    }
    keys = keys == null ? new String[0] : keys;
    epochs = epochs == null ? new int[0] : epochs;
    if ((keys.length > 0 && keys.length < size) || (epochs.length > 0 && epochs.length < size)) {
      throw new IllegalArgumentException("batch of " + size + " samples needs as many keys and epochs");
    }
    nextOffsets = nextOffsets == null ? new TreeMap<>() : nextOffsets;
  }

  /** A batch without keys or positions (tests, evaluation). */
  public SampleBatch(byte[] pixels, int[] labels, int size, int height, int width, int channels, int epoch) {
    this(pixels, labels, size, height, width, channels, epoch, null, null, null, false);
  }

  /** Bytes of one sample. */
  public int sampleBytes() {
    return height * width * channels;
  }

  /** An unmodifiable sorted copy of {@code offsets}. */
  static SortedMap<Integer, Long> snapshot(Map<Integer, Long> offsets) {
    return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
  }
}
