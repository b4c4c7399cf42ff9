package io.mnpipe.preprocess.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A seed and a size in, a photo-like image out, and images in, JPEG bytes of a chosen kind out.
 * The pictures mix smooth gradients, soft shapes, strokes, multi-scale texture and sensor-like
 * grain, so at quality 90 a 500x375 frame encodes to about as many bytes as an ImageNet photo
 * (~80-150 KB) and decodes at the same cost; flat synthetic shapes would compress 10x better.
 */
public final class SyntheticPhotos {
  /** JPEG flavours found in ImageNet and user data sets. */
  public enum JpegKind { BASELINE_420, BASELINE_444, PROGRESSIVE_420, GRAY }

  private SyntheticPhotos() {}

  /** A w x h photo-like picture drawn from {@code rng}. */
  public static BufferedImage photo(int w, int h, SplittableRandom rng) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new java.awt.GradientPaint(0, 0, randomColour(rng), 0, h, randomColour(rng)));
    g.fillRect(0, 0, w, h);
    for (int k = 0; k < 12; k++) {
      g.setColor(new Color(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256), 80 + rng.nextInt(150)));
      int cx = rng.nextInt(w);
      int cy = rng.nextInt(h);
      int rx = 10 + rng.nextInt(w / 3);
      int ry = 10 + rng.nextInt(h / 3);
      if (k % 3 == 0) {
        g.fillRect(cx - rx / 2, cy - ry / 2, rx, ry);
      } else {
        g.fillOval(cx - rx, cy - ry, 2 * rx, 2 * ry);
      }
    }
    for (int k = 0; k < 20; k++) { // edges and thin structures, like branches or text
      g.setColor(new Color(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)));
      g.setStroke(new BasicStroke(1 + rng.nextInt(4)));
      g.drawLine(rng.nextInt(w), rng.nextInt(h), rng.nextInt(w), rng.nextInt(h));
    }
    g.dispose();
    addTexture(((DataBufferByte) img.getRaster().getDataBuffer()).getData(), w, h, rng);
    return img;
  }

  private static Color randomColour(SplittableRandom rng) {
    return new Color(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256));
  }

  /** Adds value noise at 16 px and 4 px scales (texture) plus per-pixel grain. */
  private static void addTexture(byte[] bgr, int w, int h, SplittableRandom rng) {
    float[] coarse = lattice(w, h, 16, rng);
    float[] fine = lattice(w, h, 4, rng);
    int cw = w / 16 + 2;
    int fw = w / 4 + 2;
    double grain = 13 + rng.nextDouble() * 14;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float t = 20 * sample(coarse, cw, x / 16f, y / 16f) + 16 * sample(fine, fw, x / 4f, y / 4f);
        int o = (y * w + x) * 3;
        for (int c = 0; c < 3; c++) {
          double v = (bgr[o + c] & 0xff) + t + grain * gaussian(rng);
          bgr[o + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
        }
      }
    }
  }

  private static float[] lattice(int w, int h, int cell, SplittableRandom rng) {
    int lw = w / cell + 2;
    int lh = h / cell + 2;
    float[] l = new float[lw * lh];
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return l;
  }

  private static float sample(float[] l, int lw, float fx, float fy) {
    int x = (int) fx;
    int y = (int) fy;
    float ax = fx - x;
    float ay = fy - y;
    float top = l[y * lw + x] * (1 - ax) + l[y * lw + x + 1] * ax;
    float bottom = l[(y + 1) * lw + x] * (1 - ax) + l[(y + 1) * lw + x + 1] * ax;
    return top * (1 - ay) + bottom * ay;
  }

  private static double gaussian(SplittableRandom rng) {
    // Sum of four uniforms: close enough to normal for grain, and much cheaper than Box-Muller.
    return (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 2) * 1.732;
  }

  /** Encodes {@code img} as a JPEG of the given kind at {@code quality} (0-1, ImageNet ~0.9). */
  public static byte[] jpeg(BufferedImage img, float quality, JpegKind kind) {
    BufferedImage src = img;
    if (kind == JpegKind.GRAY && img.getType() != BufferedImage.TYPE_BYTE_GRAY) {
      src = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
      Graphics2D g = src.createGraphics();
      g.drawImage(img, 0, 0, null);
      g.dispose();
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 * 1024);
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality);
      if (kind == JpegKind.PROGRESSIVE_420) {
        p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(src), p);
      if (kind == JpegKind.BASELINE_444) {
        fullChromaResolution(meta);
      }
      writer.write(null, new IIOImage(src, null, meta), p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Sets every component's sampling factors to 1x1 (4:4:4) in ImageIO's JPEG metadata. */
  private static void fullChromaResolution(IIOMetadata meta) throws IOException {
    String format = "javax_imageio_jpeg_image_1.0";
    Node root = meta.getAsTree(format);
    NodeList specs = ((org.w3c.dom.Element) root).getElementsByTagName("componentSpec");
    for (int i = 0; i < specs.getLength(); i++) {
      org.w3c.dom.Element c = (org.w3c.dom.Element) specs.item(i);
      c.setAttribute("HsamplingFactor", "1");
      c.setAttribute("VsamplingFactor", "1");
    }
    meta.setFromTree(format, root);
  }
}
