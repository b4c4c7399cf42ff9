package io.mnpipe.preprocess.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.preprocess.image.JpegMarkers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeBenchmarkTest {
  @Test
  void generatesImageNetLikeJpegsAndMeasuresBothLoops(@TempDir Path dir) throws Exception {
    List<Path> files = DecodeBenchmark.generate(dir.resolve("a/b"), 4, 7);
    Files.write(dir.resolve("notes.txt"), new byte[] {1});
    Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0});
    assertEquals(4, files.size());
    for (Path p : files) {
      long size = Files.size(p);
      assertTrue(size > 40_000 && size < 200_000, p + " is " + size + " bytes");
      JpegMarkers m = JpegMarkers.parse(Files.readAllBytes(p));
      assertTrue(m.width() == 500 || m.height() == 500, m.toString());
    }
    var config = new DecodeBenchmark.Config(dir, 96, Duration.ofMillis(200), Duration.ofMillis(800), 100, false);
    DecodeBenchmark.Result r = DecodeBenchmark.run(config);
    assertEquals(4, r.images());
    assertEquals(1, r.skipped());
    assertEquals(96, r.size());
    assertTrue(r.imagesPerS() > 0 && r.decodeImagesPerS() > 0, r.toString());
    assertEquals(r.imagesPerS() / r.decodeImagesPerS(), r.ratio(), 1e-9);
    assertTrue(r.toJson().startsWith("{\"images\": 4, \"images_per_s\": "), r.toJson());
    assertTrue(r.toJson().contains("\"djpeg_images_per_s\": null"), r.toJson());
  }

  @Test
  void anEmptyDirectorySaysHowToGetImages(@TempDir Path dir) {
    var e = assertThrows(IOException.class, () -> DecodeBenchmark.run(DecodeBenchmark.Config.of(dir)));
    assertTrue(e.getMessage().contains("DecodeBenchmark.generate"), e.getMessage());
  }
}
