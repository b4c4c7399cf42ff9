package io.mnpipe.ingest.source;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A seed and sizes in, a labelled JPEG dataset out: each class is a shape of its own colour drawn
 * at a random place and scale on a noisy background, at ImageNet-like sizes (~500x375), so a
 * MobileNet can tell them apart after a few hundred steps. A few deliberately broken records
 * (a truncated JPEG, a JPEG signature over noise) exercise the dead-letter path.
 */
public final class SyntheticDataset implements DatasetSource {
  /** Class ids in label order, each a shape and a colour. */
  public static final List<String> CLASSES =
      List.of("red_disc", "green_square", "blue_triangle", "yellow_ring", "magenta_cross", "cyan_bar",
          "orange_diamond", "white_star");
  private static final Color[] COLOURS = {
      new Color(220, 30, 30), new Color(30, 190, 40), new Color(40, 60, 220), new Color(235, 220, 30),
      new Color(210, 40, 200), new Color(30, 210, 220), new Color(250, 140, 20), new Color(245, 245, 245)};

  /** Settings of the generator; the split sizes are per class. */
  public record Config(int classes, int trainPerClass, int valPerClass, int corrupt, long seed) {
    public Config {
      if (classes < 2 || classes > CLASSES.size()) {
        throw new IllegalArgumentException("synthetic classes must be 2.." + CLASSES.size() + ", got " + classes);
      }
      if (trainPerClass < 1 || valPerClass < 1) {
        throw new IllegalArgumentException("synthetic images per class must be positive");
      }
      if (corrupt < 0) {
        throw new IllegalArgumentException("corrupt count must be >= 0");
      }
    }

    public static Config defaults() {
      return new Config(4, 800, 100, 2, 42);
    }
  }

  private final Config config;

  public SyntheticDataset(Config config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "synthetic";
  }

  @Override
  public String description() {
    return "synthetic:" + config;
  }

  @Override
  public List<String> classNames() {
    return CLASSES.subList(0, config.classes());
  }

  @Override
  public java.util.OptionalLong expectedSize(String split) {
    return java.util.OptionalLong.of(size(split));
  }

  /** Number of records {@link #samples} yields for a split, broken ones included. */
  public int size(String split) {
    return perClass(split) * config.classes() + corruptIn(split);
  }

  private int perClass(String split) {
    return "train".equals(split) ? config.trainPerClass() : config.valPerClass();
  }

  private int corruptIn(String split) {
    return "train".equals(split) ? config.corrupt() : 0;
  }

  @Override
  public Iterator<Sample> samples(String split) {
    if (!"train".equals(split) && !"val".equals(split)) {
      throw new IllegalArgumentException("split must be train or val, got " + split);
    }
    int total = size(split);
    long splitSeed = config.seed() * 31 + split.hashCode();
    return new Iterator<>() {
      int i = 0;

      @Override
      public boolean hasNext() {
        return i < total;
      }

      @Override
      public Sample next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int index = i++;
        SplittableRandom rng = new SplittableRandom(splitSeed * 1_000_003L + index);
        int label = index % config.classes();
        String key = String.format("%s_%s_%06d", split, CLASSES.get(label), index);
        int clean = perClass(split) * config.classes();
        if (index >= clean) {
          return broken(key, label, index - clean, rng);
        }
        return new Sample(key, label, CLASSES.get(label), jpeg(render(label, rng)), "synthetic/" + split);
      }
    };
  }

  private Sample broken(String key, int label, int which, SplittableRandom rng) {
    byte[] bytes;
    if (which % 2 == 0) {
      byte[] whole = jpeg(render(label, rng));
      bytes = Arrays.copyOf(whole, Math.min(whole.length, 600)); // header survives, scan data does not
    } else {
      // A JPEG signature and a valid-looking start, then noise: passes ingest, fails decoding.
      bytes = new byte[2048];
      rng.nextBytes(bytes);
      bytes[0] = (byte) 0xFF;
      bytes[1] = (byte) 0xD8;
      bytes[2] = (byte) 0xFF;
      bytes[3] = (byte) 0xE0;
    }
    return new Sample("broken_" + key, label, CLASSES.get(label), bytes, "synthetic/broken");
  }

  /** Draws one image of class {@code label}. */
  static BufferedImage render(int label, SplittableRandom rng) {
    int w = 400 + rng.nextInt(120);
    int h = 300 + rng.nextInt(100);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    int base = 60 + rng.nextInt(80);
    g.setColor(new Color(base, base + rng.nextInt(20), base + rng.nextInt(20)));
    g.fillRect(0, 0, w, h);
    for (int k = 0; k < 30; k++) { // clutter, so the class is the shape and not the whole frame
      int grey = rng.nextInt(256);
      g.setColor(new Color(grey, grey, grey, 60));
      g.fillRect(rng.nextInt(w), rng.nextInt(h), 10 + rng.nextInt(60), 10 + rng.nextInt(60));
    }
    int size = (int) (Math.min(w, h) * (0.45 + 0.4 * rng.nextDouble()));
    int x = rng.nextInt(Math.max(1, w - size));
    int y = rng.nextInt(Math.max(1, h - size));
    g.setColor(COLOURS[label]);
    drawShape(g, label, x, y, size);
    g.dispose();
    return img;
  }

  private static void drawShape(Graphics2D g, int label, int x, int y, int s) {
    switch (label) {
      case 0 -> g.fillOval(x, y, s, s);
      case 1 -> g.fillRect(x, y, s, s);
      case 2 -> g.fillPolygon(new int[] {x, x + s / 2, x + s}, new int[] {y + s, y, y + s}, 3);
      case 3 -> {
        g.setStroke(new BasicStroke(s / 8f));
        g.drawOval(x + s / 8, y + s / 8, s * 3 / 4, s * 3 / 4);
      }
      case 4 -> {
        g.fillRect(x + s / 3, y, s / 3, s);
        g.fillRect(x, y + s / 3, s, s / 3);
      }
      case 5 -> g.fillRect(x, y + s / 3, s, s / 3);
      case 6 -> g.fillPolygon(new int[] {x + s / 2, x + s, x + s / 2, x}, new int[] {y, y + s / 2, y + s, y + s / 2}, 4);
      default -> {
        int[] xs = new int[10];
        int[] ys = new int[10];
        for (int k = 0; k < 10; k++) {
          double r = (k % 2 == 0 ? 0.5 : 0.2) * s;
          double a = Math.PI * k / 5 - Math.PI / 2;
          xs[k] = (int) (x + s / 2.0 + r * Math.cos(a));
          ys[k] = (int) (y + s / 2.0 + r * Math.sin(a));
        }
        g.fillPolygon(xs, ys, 10);
      }
    }
  }

  /** Baseline JPEG at quality 90, as most ImageNet photos are. */
  public static byte[] jpeg(BufferedImage img) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(0.9f);
      writer.write(null, new IIOImage(img, null, null), p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
