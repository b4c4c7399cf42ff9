package io.mnpipe.ingest.source;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Raw 8-bit grayscale or RGB pixels in, a lossless PNG out. Written by hand rather than through
 * ImageIO because CIFAR and Fashion-MNIST publish tens of thousands of tiny images, and ImageIO's
 * per-image writer lookup and stream setup cost more than the encoding itself. One encoder reuses
 * its zlib state, so keep one per iterator; it is not thread-safe.
 */
final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int GRAY = 0;
  private static final int RGB = 2;

  private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
  private final byte[] chunk = new byte[16 * 1024];

  /** {@code pixels} row-major, one byte per pixel. */
  byte[] gray(int width, int height, byte[] pixels) {
    return encode(width, height, GRAY, 1, pixels);
  }

  /** {@code pixels} row-major, interleaved R, G, B bytes per pixel. */
  byte[] rgb(int width, int height, byte[] pixels) {
    return encode(width, height, RGB, 3, pixels);
  }

  private byte[] encode(int width, int height, int colourType, int channels, byte[] pixels) {
    int stride = width * channels;
    if (width <= 0 || height <= 0 || pixels.length != stride * height) {
      throw new IllegalArgumentException("PNG of " + width + "x" + height + "x" + channels + " needs "
          + stride * height + " bytes, got " + pixels.length);
    }
    // Filter type 0 (none) on every row: the images are a few KB, so a better filter would save
    // little, and lossless is all that matters downstream.
    byte[] raw = new byte[(stride + 1) * height];
    for (int y = 0; y < height; y++) {
      System.arraycopy(pixels, y * stride, raw, y * (stride + 1) + 1, stride);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
    out.writeBytes(SIGNATURE);
    byte[] header = new byte[13];
    putInt(header, 0, width);
    putInt(header, 4, height);
    header[8] = 8; // bit depth
    header[9] = (byte) colourType; // compression, filter and interlace methods stay 0
    writeChunk(out, "IHDR", header, header.length);
    byte[] idat = deflate(raw);
    writeChunk(out, "IDAT", idat, idat.length);
    writeChunk(out, "IEND", new byte[0], 0);
    return out.toByteArray();
  }

  private byte[] deflate(byte[] raw) {
    deflater.reset();
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream z = new ByteArrayOutputStream(raw.length / 2 + 64);
    while (!deflater.finished()) {
      int n = deflater.deflate(chunk);
      z.write(chunk, 0, n);
    }
    return z.toByteArray();
  }

  private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    byte[] word = new byte[4];
    putInt(word, 0, length);
    out.writeBytes(word);
    out.writeBytes(typeBytes);
    out.write(data, 0, length);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data, 0, length);
    putInt(word, 0, (int) crc.getValue());
    out.writeBytes(word);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
