package io.mnpipe.preprocess.augment;

import io.mnpipe.preprocess.image.DecodedImage;
import io.mnpipe.preprocess.image.ImageDecoder;
import io.mnpipe.preprocess.image.ImageHeader;
import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.preprocess.image.ScaleFactor;
import io.mnpipe.preprocess.image.UndecodableImageException;
import java.io.Serializable;

/**
 * Encoded image bytes, sample key and epoch in, the preset's augmented view out, decoding no
 * more than the view needs: the plan is drawn on the header's full size, the JPEG is decoded at
 * the smallest DCT scale that keeps the crop at least size x size pixels, and rows below the crop
 * are not decoded. Serializable (a Flink function can hold it); the decoder and its native
 * buffers are created on first use in each JVM. Not thread-safe: one instance per thread.
 */
public final class PresetDecoder implements Serializable, AutoCloseable {
  private static final long serialVersionUID = 1L;
  private final AugmentPreset preset;
  private final long maxPixels;
  private transient ImageDecoder decoder;
  private transient Resize.Scratch scratch;
  private transient ScaleFactor lastScale;

  public PresetDecoder(AugmentPreset preset, long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
    }
    this.preset = preset;
    this.maxPixels = maxPixels;
  }

  public PresetDecoder(AugmentPreset preset) {
    this(preset, ImageDecoder.DEFAULT_MAX_PIXELS);
  }

  public AugmentPreset preset() {
    return preset;
  }

  /**
   * The augmented size x size view of {@code encoded} for (key, epoch).
   *
   * @throws UndecodableImageException with the reason a dead letter should carry
   */
  public RgbImage decodeAndAugment(byte[] encoded, String key, int epoch) throws UndecodableImageException {
    ImageDecoder d = decoder();
    ImageHeader header = d.header(encoded);
    AugmentPreset.Plan plan = preset.plan(header.width(), header.height(), key, epoch);
    CropBox b = plan.box();
    ScaleFactor scale = ScaleFactor.smallestKeeping(d.scaleFactors(header), b.width(), b.height(), preset.size(),
        preset.size());
    DecodedImage img = d.decode(encoded, header, scale, b.y() + b.height());
    lastScale = img.scale();
    return preset.render(img.pixels(), img.scale(), plan, scratch);
  }

  /** Which decoder this instance uses ("libjpeg-turbo ..." or "ImageIO"). */
  public String decoderName() {
    return decoder().name();
  }

  /** The DCT scale of the last decode, for tests and benchmarks. */
  ScaleFactor lastScale() {
    return lastScale;
  }

  private ImageDecoder decoder() {
    if (decoder == null) {
      decoder = new ImageDecoder(maxPixels);
      scratch = new Resize.Scratch();
    }
    return decoder;
  }

  /** Frees the native decoder; a later call creates a new one. */
  @Override
  public void close() {
    if (decoder != null) {
      decoder.close();
      decoder = null;
    }
  }
}
