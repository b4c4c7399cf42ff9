package io.mnpipe.ingest.publish;

/** The first bytes of a file in, the image format they announce (or null) out. */
public final class ImageSniffer {
  private ImageSniffer() {}

  /** jpeg, png, gif, bmp, webp or tiff, by magic number; null when none matches. */
  public static String format(byte[] b) {
    if (b == null) {
      return null;
    }
    if (starts(b, 0xFF, 0xD8, 0xFF)) {
      return "jpeg";
    }
    if (starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return "png";
    }
    if (starts(b, 'G', 'I', 'F', '8')) {
      return "gif";
    }
    if (starts(b, 'B', 'M') && b.length > 26) {
      return "bmp";
    }
    if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return "webp";
    }
    if (starts(b, 'I', 'I', 42, 0) || starts(b, 'M', 'M', 0, 42)) {
      return "tiff";
    }
    return null;
  }

  /** The first n bytes as hex, for error messages. */
  public static String head(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(n, b.length); i++) {
      s.append(String.format("%02x", b[i]));
    }
    return s.toString();
  }

  private static boolean starts(byte[] b, int... magic) {
    if (b.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
