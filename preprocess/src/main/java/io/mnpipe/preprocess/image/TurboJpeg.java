package io.mnpipe.preprocess.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Java calls in, libjpeg-turbo's TurboJPEG 2 C API out: the few functions the decoder needs,
 * bound with JNA direct mapping (no per-call reflection), and the constants of turbojpeg.h.
 * Loading happens once per class loader; {@link #loadError()} says why it failed, if it did.
 */
final class TurboJpeg {
  /** System property naming the library to load instead of the system's libturbojpeg. */
  static final String LIBRARY_PROPERTY = "mnpipe.turbojpeg.library";

  static final int TJPF_RGB = 0;
  static final int TJPF_CMYK = 11;
  static final int TJCS_RGB = 0;
  static final int TJCS_YCBCR = 1;
  static final int TJCS_GRAY = 2;
  static final int TJCS_CMYK = 3;
  static final int TJCS_YCCK = 4;
  /** Refuse progressive files with more than 500 scans (a known decompression-time bomb). */
  static final int TJFLAG_LIMITSCANS = 32768;
  static final int TJERR_WARNING = 0;

  private static final String LOAD_ERROR = register();

  private TurboJpeg() {}

  private static String register() {
    String configured = System.getProperty(LIBRARY_PROPERTY);
    // Debian/Ubuntu ship only the versioned runtime (libturbojpeg.so.0) without the -dev package.
    String[] names = configured != null ? new String[] {configured} : new String[] {"turbojpeg", "libturbojpeg.so.0"};
    StringBuilder errors = new StringBuilder();
    for (String name : names) {
      try {
        Native.register(TurboJpeg.class, NativeLibrary.getInstance(name));
        return null;
      } catch (Throwable t) { // UnsatisfiedLinkError, or JNA's own native stub missing
        errors.append(errors.length() == 0 ? "" : "; ").append(name).append(": ").append(t.getMessage());
      }
    }
    return errors.toString();
  }

  /** Null when the library is bound, else why it is not. */
  static String loadError() {
    return LOAD_ERROR;
  }

  static native Pointer tjInitDecompress();

  static native int tjDecompressHeader3(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, int[] width,
      int[] height, int[] jpegSubsamp, int[] jpegColorspace);

  static native int tjDecompress2(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, Pointer dstBuf, int width,
      int pitch, int height, int pixelFormat, int flags);

  static native Pointer tjGetScalingFactors(int[] numScalingFactors);

  static native String tjGetErrorStr2(Pointer handle);

  static native int tjGetErrorCode(Pointer handle);

  static native int tjDestroy(Pointer handle);
}
