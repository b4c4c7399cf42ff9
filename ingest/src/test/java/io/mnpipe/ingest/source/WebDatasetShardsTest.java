package io.mnpipe.ingest.source;

import static io.mnpipe.ingest.source.SourceFixtures.byKey;
import static io.mnpipe.ingest.source.SourceFixtures.drain;
import static io.mnpipe.ingest.source.SourceFixtures.jpeg;
import static io.mnpipe.ingest.source.SourceFixtures.png;
import static io.mnpipe.ingest.source.SourceFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar shards written here in, grouped samples and rejections out; shard patterns expanded. */
class WebDatasetShardsTest {
  static final List<String> CLASSES = List.of("cat", "dog", "fox");

  @TempDir
  Path dir;

  @Test
  void groupsAdjacentMembersAndRejectsIncompleteSamples() throws IOException {
    byte[] a = jpeg(1);
    byte[] b = png(2);
    byte[] g = jpeg(3);
    tar(dir.resolve("train-000000.tar"), false,
        "a.jpg", a, "a.cls", "0",
        "b.PNG", b, "b.cls", " 2\n", "b.json", "{}",
        "c.jpg", jpeg(4), // no .cls
        "d.cls", "1", "d.txt", "no image",
        "e.jpeg", jpeg(5), "e.cls", "two",
        "f.jpg", jpeg(6), "f.cls", "3", // only 3 classes
        "./sub/g.jpg", g, "./sub/g.cls", "1",
        "a.json", "{}"); // key a again, not adjacent to its image
    WebDatasetShards source = new WebDatasetShards("wds", dir + "/train-000000.tar", CLASSES);
    Map<String, Sample> s = byKey(drain(source.samples("train")));

    assertEquals(List.of("train-000000/a", "train-000000/b", "train-000000/c", "train-000000/d", "train-000000/e",
        "train-000000/f", "train-000000/sub/g", "train-000000/a#2"), List.copyOf(s.keySet()));
    assertSample(s.get("train-000000/a"), 0, a, "train-000000.tar:a.jpg");
    assertSample(s.get("train-000000/b"), 2, b, "train-000000.tar:b.PNG");
    assertSample(s.get("train-000000/sub/g"), 1, g, "train-000000.tar:sub/g.jpg");
    assertRejected(s.get("train-000000/c"), "no c.cls member");
    assertRejected(s.get("train-000000/d"), "no image member (d.jpg, .jpeg or .png); members: d.cls, d.txt");
    assertRejected(s.get("train-000000/e"), "e.cls holds 'two', not a decimal class index");
    assertRejected(s.get("train-000000/f"), "class index 3 in f.cls is out of range 0..2");
    assertRejected(s.get("train-000000/a#2"), "members of key a are not adjacent");
  }

  @Test
  void readsShardsInPatternOrderGzippedOrNotAndSurvivesATruncatedOne() throws IOException {
    byte[] one = jpeg(7);
    tar(dir.resolve("val-000000.tar.gz"), true, "k1.jpg", one, "k1.cls", "1");
    Path broken = dir.resolve("val-000001.tar");
    byte[] two = jpeg(8);
    tar(broken, false, "k2.jpg", two, "k2.cls", "0", "k3.jpg", SourceFixtures.randomBytes(5000, 1), "k3.cls", "0");
    int k3Data = 512 + (two.length + 511) / 512 * 512 + 512 + 512 + 512; // headers and data padded to 512
    Files.write(broken, Arrays.copyOf(Files.readAllBytes(broken), k3Data + 2000)); // cut inside k3.jpg
    tar(dir.resolve("val-000002.tar"), false, "k4.jpg", jpeg(9), "k4.cls", "2");

    WebDatasetShards source = new WebDatasetShards("wds", dir + "/{val-000000.tar.gz,val-00000[12].tar}", CLASSES);
    assertEquals(3, source.shards().size());
    List<Sample> samples = drain(source.samples("val"));
    assertEquals(List.of("val-000000/k1", "val-000001/k2", "val-000001/k3", "val-000002/k4"),
        samples.stream().map(Sample::key).toList());
    assertSample(samples.get(0), 1, one, "val-000000.tar.gz:k1.jpg");
    assertFalse(samples.get(1).isRejected());
    assertRejected(samples.get(2), "shard unreadable from here on");
    assertFalse(samples.get(3).isRejected(), "the next shard is read after a broken one");
  }

  @Test
  void defaultsToImageNetSizedIndexedClasses() throws IOException {
    tar(dir.resolve("s.tar"), false, "x.jpg", jpeg(1), "x.cls", "999");
    WebDatasetShards source = new WebDatasetShards("wds", dir + "/s.tar", null);
    assertEquals(1000, source.classNames().size());
    assertEquals("class_000", source.classNames().get(0));
    Sample x = drain(source.samples("train")).get(0);
    assertEquals(999, x.label());
    assertEquals("class_999", x.classId());
  }

  @Test
  void expandsBracesAndGlobs() {
    assertEquals(List.of("a-08.tar", "a-09.tar", "a-10.tar"), ShardGlob.braces("a-{08..10}.tar"));
    assertEquals(List.of("3", "2", "1"), ShardGlob.braces("{3..1}"));
    assertEquals(List.of("x-1", "x-2", "y-1", "y-2"), ShardGlob.braces("{x,y}-{1..2}"));
    assertEquals(List.of("{only}.tar"), ShardGlob.braces("{only}.tar"));

    for (String name : List.of("p-000000.tar", "p-000001.tar", "p-000002.tar", "q-000000.tar")) {
      write(dir.resolve(name), new byte[0]);
    }
    List<Path> three = List.of(dir.resolve("p-000000.tar"), dir.resolve("p-000001.tar"), dir.resolve("p-000002.tar"));
    assertEquals(three, ShardGlob.expand(dir + "/p-{000000..000002}.tar"));
    assertEquals(three, ShardGlob.expand(dir + "/p-*.tar"));
    assertEquals(three, ShardGlob.expand(dir + "/p-00000?.tar"));
    assertEquals(4, ShardGlob.expand(dir + "/{p,q}-*.tar").size());

    IllegalArgumentException gap =
        assertThrows(IllegalArgumentException.class, () -> ShardGlob.expand(dir + "/p-{000000..000003}.tar"));
    assertTrue(gap.getMessage().contains("p-000003.tar does not exist"), gap.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ShardGlob.expand(dir + "/r-*.tar"));
    assertThrows(IllegalArgumentException.class, () -> ShardGlob.expand(dir + "/*/p-000000.tar"));
  }

  private static void assertSample(Sample s, int label, byte[] image, String source) {
    assertFalse(s.isRejected(), s.key() + ": " + s.rejectReason());
    assertEquals(label, s.label());
    assertEquals(CLASSES.get(label), s.classId());
    assertArrayEquals(image, s.image());
    assertEquals(source, s.source());
  }

  private static void assertRejected(Sample s, String reason) {
    assertTrue(s.isRejected(), s.key() + " should be rejected");
    assertTrue(s.rejectReason().contains(reason), "'" + s.rejectReason() + "' should contain '" + reason + "'");
  }

  /** Writes a tar of (name, content) pairs; content is a byte[] or a String. */
  static void tar(Path file, boolean gzip, Object... members) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream raw = gzip ? new GZIPOutputStream(bytes) : bytes;
        TarArchiveOutputStream out = new TarArchiveOutputStream(raw)) {
      for (int i = 0; i < members.length; i += 2) {
        byte[] content = members[i + 1] instanceof String t ? t.getBytes(StandardCharsets.US_ASCII)
            : (byte[]) members[i + 1];
        TarArchiveEntry entry = new TarArchiveEntry((String) members[i]);
        entry.setSize(content.length);
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
      }
    }
    write(file, bytes.toByteArray());
  }
}
