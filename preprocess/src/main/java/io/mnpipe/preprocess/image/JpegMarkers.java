package io.mnpipe.preprocess.image;

/**
 * JPEG bytes in, what the marker segments before the first scan say out: frame type and size,
 * component count, the Adobe APP14 colour transform, and where the scan starts. A bounds-checked
 * walk over segment lengths; it never reads entropy-coded data.
 *
 * @param sof the SOFn marker byte (0xC0 baseline, 0xC2 progressive, ...), or -1 if none was seen
 * @param sofOffset index of the SOF marker's 0xFF, or -1
 * @param maxVSampling the largest vertical sampling factor (2 for 4:2:0), which sets the MCU height
 * @param adobeTransform the APP14 "Adobe" transform byte (0 none/CMYK, 1 YCbCr, 2 YCCK), -1 if absent
 * @param scanOffset index of the first SOS marker, -1 if the header ends before it
 */
public record JpegMarkers(int sof, int sofOffset, int precision, int width, int height, int components,
    int maxVSampling, int adobeTransform, int scanOffset) {

  public boolean progressive() {
    return sof == 0xC2 || sof == 0xC6 || sof == 0xCA || sof == 0xCE;
  }

  /** Huffman-coded sequential (baseline or extended): one scan, MCUs in raster order. */
  public boolean sequentialHuffman() {
    return sof == 0xC0 || sof == 0xC1;
  }

  /** Rows per MCU row: 8 times the largest vertical sampling factor. */
  public int mcuHeight() {
    return 8 * Math.max(1, maxVSampling);
  }

  /** Parses the header of {@code b}; fields stay -1 where the bytes end or go wrong first. */
  public static JpegMarkers parse(byte[] b) {
    int sof = -1;
    int sofOffset = -1;
    int maxV = -1;
    int precision = -1;
    int width = -1;
    int height = -1;
    int components = -1;
    int adobe = -1;
    int i = 2;
    while (i + 3 < b.length) {
      if ((b[i] & 0xff) != 0xFF) {
        break;
      }
      int m = b[i + 1] & 0xff;
      if (m == 0xFF) { // fill byte before a marker
        i++;
        continue;
      }
      if (m == 0xDA) {
        return new JpegMarkers(sof, sofOffset, precision, width, height, components, maxV, adobe, i);
      }
      if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) { // standalone markers: no length field
        i += 2;
        continue;
      }
      int len = u16(b, i + 2);
      int seg = i + 4;
      if (len < 2 || seg + len - 2 > b.length) {
        break;
      }
      if (isSof(m) && len >= 8 && sof < 0) { // the first frame header is the one libjpeg reads
        sof = m;
        sofOffset = i;
        precision = b[seg] & 0xff;
        height = u16(b, seg + 1);
        width = u16(b, seg + 3);
        components = b[seg + 5] & 0xff;
        for (int c = 0; c < components && seg + 6 + 3 * c + 1 < seg + len - 2; c++) {
          maxV = Math.max(maxV, b[seg + 7 + 3 * c] & 0x0f);
        }
      } else if (m == 0xEE && len >= 14 && b[seg] == 'A' && b[seg + 1] == 'd' && b[seg + 2] == 'o'
          && b[seg + 3] == 'b' && b[seg + 4] == 'e') {
        adobe = b[seg + 11] & 0xff;
      }
      i = seg + len - 2;
    }
    return new JpegMarkers(sof, sofOffset, precision, width, height, components, maxV, adobe, -1);
  }

  /**
   * Whether an EOI marker (FF D9) follows offset {@code from} (the first scan). Entropy-coded
   * data never contains FF D9 (0xFF is stuffed), so its absence means the file was cut short.
   * Searched from the end, where the marker is in a well-formed file.
   */
  public static boolean hasEndMarkerAfter(byte[] b, int from) {
    for (int i = b.length - 2; i >= Math.max(from, 0); i--) {
      if (b[i] == (byte) 0xFF && b[i + 1] == (byte) 0xD9) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSof(int m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
  }
}
