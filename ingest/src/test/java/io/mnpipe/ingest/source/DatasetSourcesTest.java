package io.mnpipe.ingest.source;

import static io.mnpipe.ingest.source.SourceFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source specs in, the right reader under the right name out; bad specs fail with a useful message. */
class DatasetSourcesTest {
  @TempDir
  Path dir;

  @Test
  void opensEachKindUnderTheGivenOrDefaultName() throws IOException {
    write(dir.resolve("imagenet/train/n01440764/n01440764_1.JPEG"), SourceFixtures.jpeg(1));
    write(dir.resolve("cifar/test_batch.bin"), Cifar10BinaryTest.batch(1, 0, 1));
    write(dir.resolve("fmnist/t10k-images-idx3-ubyte"), FashionMnistIdxTest.images(1, 1, 1, new byte[1]));
    write(dir.resolve("fmnist/t10k-labels-idx1-ubyte"), FashionMnistIdxTest.labels(new byte[1]));
    WebDatasetShardsTest.tar(dir.resolve("wds-000000.tar"), false, "a.jpg", SourceFixtures.jpeg(2), "a.cls", "1");

    DatasetSource imagenet = DatasetSources.open("imagenet:" + dir.resolve("imagenet"), null);
    assertInstanceOf(ImageNetFolder.class, imagenet);
    assertEquals("imagenet-1k", imagenet.name());
    assertEquals("imagenet:" + dir.resolve("imagenet"), imagenet.description());

    DatasetSource wds = DatasetSources.open("wds:" + dir + "/wds-{000000..000000}.tar", "in1k", List.of("x", "y"));
    assertEquals("in1k", wds.name());
    assertEquals(List.of("x", "y"), wds.classNames());
    assertEquals("wds", DatasetSources.open("wds:" + dir + "/wds-*.tar", "").name());

    assertEquals("cifar10", DatasetSources.open("cifar10:" + dir.resolve("cifar"), null).name());
    assertEquals("fmnist", DatasetSources.open("fashion-mnist:" + dir.resolve("fmnist"), "fmnist").name());
    assertEquals(1, DatasetSources.open("fashion-mnist:" + dir.resolve("fmnist"), null).expectedSize("val")
        .getAsLong());

    assertEquals("synthetic", DatasetSources.open("synthetic", null).name());
    DatasetSource colours = DatasetSources.open("synthetic", "colours");
    assertEquals("colours", colours.name());
    assertEquals(SyntheticDataset.CLASSES.subList(0, 4), colours.classNames());
  }

  @Test
  void badSpecsSayWhatIsWrong() {
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> DatasetSources.open("coco:/data", null));
    assertEquals("unknown source kind 'coco'; known: imagenet, wds, cifar10, fashion-mnist, synthetic",
        unknown.getMessage());

    Path missing = dir.resolve("missing");
    for (String kind : List.of("imagenet", "cifar10", "fashion-mnist")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DatasetSources.open(kind + ":" + missing, null));
      assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> DatasetSources.open("imagenet:", null));
    assertThrows(IllegalArgumentException.class, () -> DatasetSources.open("synthetic:/x", null));
    assertThrows(IllegalArgumentException.class, () -> DatasetSources.open("", null));
    assertThrows(IllegalArgumentException.class, () -> DatasetSources.open("synthetic", null, List.of("a")));
  }

  @Test
  void classListsReadFirstWordsAndRefuseDuplicates() {
    Path file = write(dir.resolve("classes.txt"), "# wnids\nn01440764 tench, Tinca tinca\n\nn01443537\n");
    assertEquals(List.of("n01440764", "n01443537"), ClassLists.read(file));
    write(file, "a\nb\na\n");
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> ClassLists.read(file));
    assertTrue(dup.getMessage().contains("classes.txt:3"), dup.getMessage());
    assertEquals(List.of("class_0", "class_1"), ClassLists.indexed(2));
    assertEquals("class_10", ClassLists.indexed(11).get(10));
  }
}
