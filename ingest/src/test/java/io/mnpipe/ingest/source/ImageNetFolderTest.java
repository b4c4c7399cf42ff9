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

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ILSVRC2012 trees in every val layout, with the dirt real ImageNet has, in; samples and rejections checked. */
class ImageNetFolderTest {
  static final String TENCH = "n01440764";
  static final String GOLDFISH = "n01443537";
  static final String COLLIE = "n02105855";
  static final List<String> WNIDS = List.of(TENCH, GOLDFISH, COLLIE);

  @TempDir
  Path root;

  @BeforeEach
  void train() throws IOException {
    // Written out of sorted order, so sorting is what makes the order.
    write(root.resolve("train/" + COLLIE + "/" + COLLIE + "_2933.JPEG"), png(1)); // the PNG ImageNet ships
    write(root.resolve("train/" + COLLIE + "/" + COLLIE + "_10.JPEG"), jpeg(2));
    write(root.resolve("train/" + TENCH + "/" + TENCH + "_10026.JPEG"), jpeg(3));
    write(root.resolve("train/" + TENCH + "/" + TENCH + "_1.JPEG"), cmykJpeg());
    write(root.resolve("train/" + GOLDFISH + "/" + GOLDFISH + "_7.JPEG"), jpeg(4));
    write(root.resolve("train/" + GOLDFISH + "/" + GOLDFISH + "_8.JPEG"), new byte[0]);
    write(root.resolve("train/README.txt"), "stray");
    write(root.resolve("train/.DS_Store"), "hidden, ignored");
    Files.createDirectories(root.resolve("train/" + GOLDFISH + "/extra"));
    Files.createSymbolicLink(root.resolve("train/" + GOLDFISH + "/" + GOLDFISH + "_9.JPEG"), root.resolve("gone"));
  }

  @Test
  void trainInterleavesClassesLabelledByClassDirAndRejectsTheDirt() throws IOException {
    ImageNetFolder source = new ImageNetFolder("imagenet-1k", root);
    assertEquals(WNIDS, source.classNames());
    assertEquals("train/ class directories", source.classesFrom());

    List<Sample> samples = drain(source.samples("train"));
    // Files outside any class first, then one file per class in turn (sorted wnids, sorted names),
    // so consumers of any stretch of the topic see a class mix.
    assertEquals(List.of("README", "extra", TENCH + "_1", GOLDFISH + "_7", COLLIE + "_10", TENCH + "_10026",
        GOLDFISH + "_8", COLLIE + "_2933", GOLDFISH + "_9"), samples.stream().map(Sample::key).toList());
    assertEquals(samples.subList(4, samples.size()).stream().map(Sample::key).toList(),
        drain(source.samples("train", 4)).stream().map(Sample::key).toList(), "a resume skips to its index");
    assertEquals(samples.stream().map(Sample::key).toList(),
        drain(source.samples("train")).stream().map(Sample::key).toList(), "a second pass sees the same sequence");
    assertEquals(samples.size(), source.expectedSize("train").getAsLong());
    Map<String, Sample> byKey = byKey(samples);

    for (String key : List.of(TENCH + "_1", TENCH + "_10026", GOLDFISH + "_7", COLLIE + "_10", COLLIE + "_2933")) {
      Sample s = byKey.get(key);
      String wnid = key.substring(0, 9);
      assertFalse(s.isRejected(), key + ": " + s.rejectReason());
      assertEquals(WNIDS.indexOf(wnid), s.label(), key);
      assertEquals(wnid, s.classId());
      assertEquals("train/" + wnid + "/" + key + ".JPEG", s.source());
      assertArrayEquals(Files.readAllBytes(root.resolve(s.source())), s.image(), key);
    }
    assertEquals(4, sofComponents(byKey.get(TENCH + "_1").image()), "CMYK JPEG passes through untouched");
    assertEquals((byte) 0x89, byKey.get(COLLIE + "_2933").image()[0], "PNG named .JPEG passes through as PNG");

    assertRejected(byKey.get("README"), "train/README.txt", "not in a class directory");
    assertRejected(byKey.get(GOLDFISH + "_8"), "train/" + GOLDFISH + "/" + GOLDFISH + "_8.JPEG",
        "empty file (0 bytes)");
    assertRejected(byKey.get(GOLDFISH + "_9"), "train/" + GOLDFISH + "/" + GOLDFISH + "_9.JPEG",
        "unreadable: NoSuchFileException");
    assertRejected(byKey.get("extra"), "train/" + GOLDFISH + "/extra", "directory nested in a class directory");
  }

  @Test
  void flatValWithKaggleCsvUsesTrainClassIndex() throws IOException {
    write(root.resolve("val/ILSVRC2012_val_00000001.JPEG"), jpeg(10));
    write(root.resolve("val/ILSVRC2012_val_00000002.JPEG"), jpeg(11));
    write(root.resolve("val/ILSVRC2012_val_00000003.JPEG"), jpeg(12)); // not in the csv
    write(root.resolve("val/ILSVRC2012_val_00000004.JPEG"), jpeg(13)); // a wnid train does not have
    write(root.resolve("val/LOC_val_solution.csv"), "ImageId,PredictionString\n"
        + "ILSVRC2012_val_00000001," + COLLIE + " 10 20 100 200 " + COLLIE + " 5 5 50 50\n"
        + "ILSVRC2012_val_00000002," + TENCH + " 1 2 3 4\n"
        + "ILSVRC2012_val_00000004,n09999999 1 2 3 4\n");
    ImageNetFolder source = new ImageNetFolder(null, root);
    assertEquals(WNIDS, source.classNames());

    Map<String, Sample> val = byKey(drain(source.samples("val")));
    assertEquals(List.of("ILSVRC2012_val_00000001", "ILSVRC2012_val_00000002", "ILSVRC2012_val_00000003",
        "ILSVRC2012_val_00000004"), List.copyOf(val.keySet()), "the csv itself is not an image");
    assertEquals(4, source.expectedSize("val").getAsLong());
    assertLabelled(val.get("ILSVRC2012_val_00000001"), COLLIE);
    assertLabelled(val.get("ILSVRC2012_val_00000002"), TENCH);
    assertRejected(val.get("ILSVRC2012_val_00000003"), "val/ILSVRC2012_val_00000003.JPEG",
        "no label for ILSVRC2012_val_00000003 in val/LOC_val_solution.csv");
    assertRejected(val.get("ILSVRC2012_val_00000004"), "val/ILSVRC2012_val_00000004.JPEG", "unknown wnid n09999999");
  }

  @Test
  void valInClassDirsMatchesTrainLabels() throws IOException {
    write(root.resolve("val/" + GOLDFISH + "/ILSVRC2012_val_00000009.JPEG"), jpeg(20));
    write(root.resolve("val/" + COLLIE + "/ILSVRC2012_val_00000005.JPEG"), jpeg(21));
    write(root.resolve("val/n09999999/ILSVRC2012_val_00000006.JPEG"), jpeg(22));
    ImageNetFolder source = new ImageNetFolder("in", root);

    List<Sample> val = drain(source.samples("val"));
    assertEquals(3, val.size());
    assertLabelled(val.get(0), GOLDFISH);
    assertLabelled(val.get(1), COLLIE);
    assertRejected(val.get(2), "val/n09999999/ILSVRC2012_val_00000006.JPEG", "unknown wnid n09999999");
  }

  @Test
  void devkitGroundTruthMapsIdsThroughSynsetsInIdOrder(@TempDir Path dir) throws IOException {
    // synsets.txt in ILSVRC2012_ID order, deliberately not sorted: ID 1 = collie, 2 = tench, 3 = goldfish.
    write(dir.resolve("val/synsets.txt"), COLLIE + "\n" + TENCH + " tench, Tinca tinca\n" + GOLDFISH + "\n");
    write(dir.resolve("val/ILSVRC2012_validation_ground_truth.txt"), "2\n1\n3\n");
    for (int i = 1; i <= 4; i++) {
      write(dir.resolve(String.format("val/ILSVRC2012_val_%08d.JPEG", i)), jpeg(30 + i));
    }
    ImageNetFolder source = new ImageNetFolder("in", dir);
    assertEquals(WNIDS, source.classNames(), "no train/: classes are the sorted synsets");

    List<Sample> val = drain(source.samples("val"));
    assertEquals(4, val.size(), "label files are not images");
    assertLabelled(val.get(0), TENCH);
    assertLabelled(val.get(1), COLLIE);
    assertLabelled(val.get(2), GOLDFISH);
    assertRejected(val.get(3), "val/ILSVRC2012_val_00000004.JPEG", "no label for ILSVRC2012_val_00000004");
    assertThrows(IllegalArgumentException.class, () -> source.samples("train"));
  }

  @Test
  void explicitSynsetsWinsAndIsSorted() {
    write(root.resolve("synsets.txt"), "n09999999\n" + COLLIE + "\n" + TENCH + "\n" + GOLDFISH + "\n");
    ImageNetFolder source = new ImageNetFolder("in", root);
    assertEquals(List.of(TENCH, GOLDFISH, COLLIE, "n09999999"), source.classNames());
    assertEquals("synsets.txt", source.classesFrom());
    assertEquals(2, byKey(drain(source.samples("train"))).get(COLLIE + "_10").label());
  }

  @Test
  void classesFromKaggleCsvWhenThereAreNoClassDirs(@TempDir Path dir) {
    write(dir.resolve("val/ILSVRC2012_val_00000001.JPEG"), jpeg(40));
    write(dir.resolve("LOC_val_solution.csv"), "ImageId,PredictionString\nILSVRC2012_val_00000001," + COLLIE
        + " 1 2 3 4\nILSVRC2012_val_00000002," + TENCH + " 1 2 3 4\n");
    ImageNetFolder source = new ImageNetFolder("in", dir);
    assertEquals(List.of(TENCH, COLLIE), source.classNames());
    assertEquals(1, drain(source.samples("val")).get(0).label());
  }

  @Test
  void brokenTreesFailAtOpenNamingTheFile(@TempDir Path dir) {
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> new ImageNetFolder("in", dir.resolve("nope")));
    assertTrue(missing.getMessage().contains(dir.resolve("nope").toString()), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ImageNetFolder("in", dir), "no train/ or val/");

    write(dir.resolve("val/ILSVRC2012_val_00000001.JPEG"), jpeg(50));
    write(dir.resolve("synsets.txt"), TENCH + "\n");
    ImageNetFolder unlabelled = new ImageNetFolder("in", dir);
    IllegalArgumentException noLabels = assertThrows(IllegalArgumentException.class, () -> unlabelled.samples("val"));
    assertTrue(noLabels.getMessage().contains("LOC_val_solution.csv"), noLabels.getMessage());

    write(dir.resolve("ILSVRC2012_validation_ground_truth.txt"), "1\n2\n");
    IllegalArgumentException badId = assertThrows(IllegalArgumentException.class, () -> unlabelled.samples("val"));
    assertTrue(badId.getMessage().contains("ILSVRC2012_validation_ground_truth.txt:2"), badId.getMessage());
    assertThrows(IllegalArgumentException.class, () -> unlabelled.samples("test"));
  }

  private static void assertLabelled(Sample s, String wnid) {
    assertFalse(s.isRejected(), s.key() + ": " + s.rejectReason());
    assertEquals(wnid, s.classId(), s.key());
    assertEquals(WNIDS.indexOf(wnid), s.label(), s.key());
  }

  private static void assertRejected(Sample s, String source, String reason) {
    assertTrue(s.isRejected(), s.key() + " should be rejected");
    assertEquals(source, s.source());
    assertEquals(-1, s.label());
    assertTrue(s.rejectReason().contains(reason), "'" + s.rejectReason() + "' should contain '" + reason + "'");
  }

  /** A real 4-component (CMYK-style) JPEG, as 22 ImageNet training files are. */
  static byte[] cmykJpeg() throws IOException {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 20, 12, 4, null);
    for (int y = 0; y < 12; y++) {
      for (int x = 0; x < 20; x++) {
        raster.setPixel(x, y, new int[] {x * 12, y * 20, (x + y) * 8, 30});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    byte[] jpeg = bytes.toByteArray();
    assertEquals(4, sofComponents(jpeg), "fixture must be a 4-component JPEG");
    return jpeg;
  }

  /** The component count in a JPEG's start-of-frame header. */
  static int sofComponents(byte[] jpeg) {
    int i = 2;
    while (i + 9 < jpeg.length) {
      int marker = jpeg[i + 1] & 0xff;
      int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
      if (marker >= 0xc0 && marker <= 0xc3) {
        return jpeg[i + 9] & 0xff;
      }
      i += 2 + length;
    }
    return -1;
  }
}
