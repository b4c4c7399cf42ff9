package io.mnpipe.models;

import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seed and counts in, tiny AugmentedSamples of visually distinct classes out: solid colours at a
 * random brightness plus pixel noise, classes in random order, so that batch statistics vary the way
 * real data makes them (perfectly balanced, noise-free batches let BatchNorm "cheat" in train mode).
 */
public final class TestSamples {
  /** RGB of each class: red, green, blue, yellow. */
  public static final int[][] COLOURS = {{220, 30, 30}, {30, 200, 40}, {40, 50, 220}, {230, 220, 40}};

  private TestSamples() {}

  /** One sample of class {@code label} (0..3), {@code size} x {@code size}: brightness 0.5-1.1, +-30 noise. */
  public static AugmentedSample solid(String key, int label, int size, int epoch, SplittableRandom rng) {
    byte[] px = new byte[size * size * 3];
    int[] c = COLOURS[label];
    double brightness = 0.5 + 0.6 * rng.nextDouble();
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) Math.max(0, Math.min(255, (int) (c[i % 3] * brightness) + rng.nextInt(-30, 31)));
    }
    return sample(key, label, size, size, 3, epoch, px);
  }

  public static AugmentedSample sample(String key, int label, int h, int w, int ch, int epoch, byte[] px) {
    return AugmentedSample.newBuilder().setKey(key).setLabel(label).setEpoch(epoch).setHeight(h).setWidth(w)
        .setChannels(ch).setPixels(ByteBuffer.wrap(px)).build();
  }

  /** {@code n} samples of {@code classes} classes drawn at random. */
  public static List<AugmentedSample> dataset(int n, int classes, int size, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<AugmentedSample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(solid("s" + i, rng.nextInt(classes), size, 1, rng));
    }
    return out;
  }
}
