package io.mnpipe.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.KafkaBroker;
import io.mnpipe.kafka.KafkaSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipeline publish} and {@code pipeline datasets list} against a real broker. */
@ExtendWith(KafkaBroker.class)
class PublishCommandIT {

  record Result(int code, String out) {}

  static Result pipeline(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = PipelineCli.execute(args);
      return new Result(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void publishesAnImageNetTreeListsItAndIsStrictAboutRejects(KafkaSettings kafka, @TempDir Path dir) throws Exception {
    for (String wnid : new String[] {"n01440764", "n01443537"}) {
      Files.createDirectories(dir.resolve("train/" + wnid));
      for (int i = 0; i < 3; i++) {
        Files.write(dir.resolve("train/" + wnid + "/" + wnid + "_" + i + ".JPEG"),
            SyntheticDataset.jpeg(new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_3BYTE_BGR)));
      }
    }
    Files.write(dir.resolve("train/n01443537/n01443537_9.JPEG"), new byte[0]);
    String[] publish = {"publish", "--source", "imagenet:" + dir, "--dataset", "tiny-imagenet", "--version", "cli",
        "--bootstrap", kafka.bootstrap(), "--partitions", "2", "--strict"};

    Result first = pipeline(publish);
    assertEquals(3, first.code(), "--strict fails the run when an input was rejected: " + first.out());
    assertTrue(first.out().contains("to mnpipe.images.tiny-imagenet.cli.train: 6 records"), first.out());
    assertTrue(first.out().contains("rejected n01443537_9 (train/n01443537/n01443537_9.JPEG): empty file"), first.out());

    Result again = pipeline(publish);
    assertEquals(0, again.code(), "the rerun publishes nothing new and refuses nothing: " + again.out());
    assertTrue(again.out().contains("6 records (6 from an earlier run)"), again.out());

    Result list = pipeline("datasets", "list", "--bootstrap", kafka.bootstrap());
    assertEquals(0, list.code());
    String row = list.out().lines().filter(l -> l.startsWith("tiny-imagenet")).findFirst().orElseThrow();
    assertTrue(row.matches("tiny-imagenet\\s+cli\\s+train\\s+2\\s+6\\s+.*\\s1\\s+mnpipe.images.tiny-imagenet.cli.train"),
        row);
  }
}
