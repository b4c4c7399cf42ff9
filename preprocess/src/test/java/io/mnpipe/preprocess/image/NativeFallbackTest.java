package io.mnpipe.preprocess.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.jna.Native;
import io.mnpipe.preprocess.bench.SyntheticPhotos;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Without libturbojpeg the decoder still works: everything goes through ImageIO. */
class NativeFallbackTest {
  private static URL jarOf(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation();
  }

  @Test
  void aMissingLibraryFallsBackToImageIo() throws Exception {
    byte[] jpeg = SyntheticPhotos.jpeg(SyntheticPhotos.photo(64, 48, new SplittableRandom(1)), 0.9f,
        SyntheticPhotos.JpegKind.BASELINE_420);
    String old = System.getProperty(TurboJpeg.LIBRARY_PROPERTY);
    System.setProperty(TurboJpeg.LIBRARY_PROPERTY, "/nonexistent/libturbojpeg.so.0");
    // A fresh class loader, so the decoder's classes initialise again and see the broken path.
    try (URLClassLoader fresh = new URLClassLoader(
        new URL[] {jarOf(ImageDecoder.class), jarOf(Native.class), jarOf(LoggerFactory.class)},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> c = fresh.loadClass(ImageDecoder.class.getName());
      assertFalse((Boolean) c.getMethod("libjpegTurboAvailable").invoke(null));
      Object decoder = c.getConstructor().newInstance();
      assertEquals("ImageIO", c.getMethod("name").invoke(decoder));
      Object img = c.getMethod("decode", byte[].class).invoke(decoder, (Object) jpeg);
      Method width = img.getClass().getMethod("width");
      assertEquals(64, width.invoke(img));
    } finally {
      if (old == null) {
        System.clearProperty(TurboJpeg.LIBRARY_PROPERTY);
      } else {
        System.setProperty(TurboJpeg.LIBRARY_PROPERTY, old);
      }
    }
  }
}
