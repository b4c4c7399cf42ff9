package io.mnpipe.ingest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An ILSVRC2012 directory in, its class list and the wnid of each flat val image out, from
 * whichever of the usual label files the user has: class dirs, {@code synsets.txt},
 * Kaggle's {@code LOC_val_solution.csv}, or the devkit's
 * {@code ILSVRC2012_validation_ground_truth.txt}. Broken label files fail here, with the file and
 * line, because they are a broken dataset rather than one bad image.
 */
final class ImageNetLabels {
  static final String SYNSETS = "synsets.txt";
  static final String LOC_CSV = "LOC_val_solution.csv";
  static final String GROUND_TRUTH = "ILSVRC2012_validation_ground_truth.txt";
  /** Where the devkit tarball puts its ground truth, for users who extracted it inside DIR. */
  static final String DEVKIT_DATA = "ILSVRC2012_devkit_t12/data";

  /** The classes, sorted by wnid (the label order), and where they came from. */
  record Classes(List<String> wnids, String from) {}

  /** Wnid of each flat val image by file name stem, and the file(s) they came from. */
  record ValLabels(Map<String, String> wnidByStem, String from) {}

  private ImageNetLabels() {}

  /**
   * The class list: DIR/synsets.txt when present, else the train/ class dirs, else the val/ class
   * dirs, else the wnids of the val label files. Always sorted, so label i is the same class in
   * train and val and in torchvision's ImageFolder.
   */
  static Classes classes(Path root) {
    Path explicit = root.resolve(SYNSETS);
    if (Files.isRegularFile(explicit)) {
      return sorted(ClassLists.read(explicit), SYNSETS);
    }
    for (String split : List.of("train", "val")) {
      List<String> dirs = subdirectories(root.resolve(split));
      if (!dirs.isEmpty()) {
        return sorted(dirs, split + "/ class directories");
      }
    }
    Optional<Path> synsets = synsetsForGroundTruth(root);
    if (synsets.isPresent()) {
      return sorted(ClassLists.read(synsets.get()), root.relativize(synsets.get()).toString());
    }
    Optional<Path> csv = locCsv(root);
    if (csv.isPresent()) {
      return sorted(readLocCsv(csv.get()).values(), root.relativize(csv.get()).toString());
    }
    throw new IllegalArgumentException("no ImageNet classes found under " + root + ": expected train/<wnid>/ or "
        + "val/<wnid>/ directories, a " + SYNSETS + " (one wnid per line) or " + LOC_CSV);
  }

  private static Classes sorted(Collection<String> wnids, String from) {
    return new Classes(List.copyOf(new TreeSet<>(wnids)), from);
  }

  private static List<String> subdirectories(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try {
      return SortedFileWalk.list(dir).stream().filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Labels of flat val images: LOC_val_solution.csv if present (it names each image), else the ground truth. */
  static ValLabels valLabels(Path root) {
    Optional<Path> csv = locCsv(root);
    if (csv.isPresent()) {
      return new ValLabels(readLocCsv(csv.get()), root.relativize(csv.get()).toString());
    }
    Optional<Path> truth = groundTruth(root);
    Optional<Path> synsets = synsetsForGroundTruth(root);
    if (truth.isPresent() && synsets.isPresent()) {
      Map<String, String> byStem = readGroundTruth(truth.get(), ClassLists.read(synsets.get()));
      return new ValLabels(byStem, root.relativize(truth.get()) + " with " + root.relativize(synsets.get()));
    }
    if (truth.isPresent()) {
      throw new IllegalArgumentException(truth.get() + " gives ILSVRC2012_IDs, which need a " + SYNSETS + " beside it "
          + "or in " + root + " listing the wnid of ID 1, 2, ... one per line (from the devkit's meta.mat: "
          + "synsets[i].WNID for ILSVRC2012_ID 1..1000)");
    }
    throw new IllegalArgumentException(root.resolve("val") + " holds images outside class directories but no labels "
        + "for them: put " + LOC_CSV + " (Kaggle) or " + GROUND_TRUTH + " and " + SYNSETS + " (devkit) in " + root
        + " or " + root.resolve("val") + ", or sort val/ into val/<wnid>/ directories");
  }

  /** File names {@link ImageNetFolder} must not take for images when they sit in val/. */
  static boolean isLabelFile(String name) {
    return name.equals(SYNSETS) || name.equals(LOC_CSV) || name.equals(GROUND_TRUTH);
  }

  private static Optional<Path> locCsv(Path root) {
    return firstFile(root.resolve(LOC_CSV), root.resolve("val").resolve(LOC_CSV));
  }

  private static Optional<Path> groundTruth(Path root) {
    return firstFile(root.resolve(GROUND_TRUTH), root.resolve("val").resolve(GROUND_TRUTH),
        root.resolve(DEVKIT_DATA).resolve(GROUND_TRUTH));
  }

  /** The ID-ordered wnid list: beside the ground truth first, then DIR, then DIR/val. */
  private static Optional<Path> synsetsForGroundTruth(Path root) {
    Path besideTruth = groundTruth(root).map(p -> p.resolveSibling(SYNSETS)).orElse(root.resolve(SYNSETS));
    return firstFile(besideTruth, root.resolve(SYNSETS), root.resolve("val").resolve(SYNSETS));
  }

  private static Optional<Path> firstFile(Path... candidates) {
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Kaggle's csv: {@code ImageId,PredictionString}, the first word of PredictionString being the wnid. */
  static Map<String, String> readLocCsv(Path csv) {
    List<String> lines = ClassLists.lines(csv);
    Map<String, String> byStem = new HashMap<>(lines.size() * 2);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || (i == 0 && line.startsWith("ImageId"))) {
        continue;
      }
      int comma = line.indexOf(',');
      if (comma <= 0) {
        throw new IllegalArgumentException(csv + ":" + (i + 1) + ": expected 'ImageId,PredictionString', got '"
            + abbreviate(line) + "'");
      }
      String[] words = line.substring(comma + 1).strip().split("\\s+");
      if (!words[0].isEmpty()) { // an image with no boxes has no label; ImageNetFolder rejects it
        byStem.put(line.substring(0, comma).strip(), words[0]);
      }
    }
    return byStem;
  }

  /** Devkit ground truth: line n holds the 1-based ILSVRC2012_ID of ILSVRC2012_val_<n, 8 digits>. */
  static Map<String, String> readGroundTruth(Path truth, List<String> wnidById) {
    List<String> lines = ClassLists.lines(truth);
    Map<String, String> byStem = new HashMap<>(lines.size() * 2);
    int image = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      int id;
      try {
        id = Integer.parseInt(line);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(truth + ":" + (i + 1) + ": expected an ILSVRC2012_ID, got '"
            + abbreviate(line) + "'");
      }
      if (id < 1 || id > wnidById.size()) {
        throw new IllegalArgumentException(truth + ":" + (i + 1) + ": ILSVRC2012_ID " + id + " has no line in the "
            + SYNSETS + " used with it (" + wnidById.size() + " wnids); that file must list the wnids in ID order");
      }
      image++;
      byStem.put(String.format("ILSVRC2012_val_%08d", image), wnidById.get(id - 1));
    }
    return byStem;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
