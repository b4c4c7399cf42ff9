package io.mnpipe.trainer.data;

/**
 * One batch as it leaves the loader thread: the uint8 HWC pixels of {@code size} samples back to
 * back in one array, and their labels. Becomes one NDArray on the device, never one per sample.
 *
 * @param pixels size*height*width*channels bytes, sample after sample, each row-major HWC RGB
 * @param labels class index of each sample (length >= size)
 * @param size samples in this batch (the last batch of an input may be short)
 * @param height sample height
 * @param width sample width
 * @param channels channels per pixel (3)
 * @param epoch highest input epoch among the samples, for progress lines
 */
public record SampleBatch(byte[] pixels, int[] labels, int size, int height, int width, int channels, int epoch) {
  public SampleBatch {
    if (size < 1 || labels.length < size || pixels.length < (long) size * height * width * channels) {
      throw new IllegalArgumentException("batch of " + size + " samples " + height + "x" + width + "x" + channels
          + " needs " + (long) size * height * width * channels + " bytes and " + size + " labels, got "
          + pixels.length + " and " + labels.length);
    }
  }

  /** Bytes of one sample. */
  public int sampleBytes() {
    return height * width * channels;
  }
}
