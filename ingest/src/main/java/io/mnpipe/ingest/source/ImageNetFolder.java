package io.mnpipe.ingest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * An ILSVRC2012 folder tree in ({@code imagenet:DIR}), its files as labelled samples out, bytes
 * untouched.
 *
 * <p>DIR holds {@code train/<wnid>/*.JPEG} and/or {@code val/}, where val is either
 * {@code val/<wnid>/*.JPEG} or flat {@code val/ILSVRC2012_val_*.JPEG} labelled by Kaggle's
 * {@code LOC_val_solution.csv} or by the devkit's {@code ILSVRC2012_validation_ground_truth.txt}
 * plus a {@code synsets.txt} listing the wnid of ILSVRC2012_ID 1, 2, ... one per line. The devkit
 * ships that list only inside {@code meta.mat}; produce it with e.g. Python:
 * {@code [s[1][0] for s in scipy.io.loadmat("meta.mat")["synsets"][:1000,0]]} (or Octave:
 * {@code load meta.mat; for i=1:1000 disp(synsets(i).WNID) end}). See {@link ImageNetLabels} for where
 * each file may sit and which wins.
 *
 * <p>Class index = sorted wnid order, the same in train and val. Files are visited in sorted order,
 * so a resumed publish sees the same sequence, and read one at a time (ImageNet is 140 GB). Images
 * are not decoded: the publisher sniffs them, and the one ImageNet PNG named {@code .JPEG} goes out
 * as it is. Files that cannot become a sample come out as rejected samples with the reason.
 */
public final class ImageNetFolder implements DatasetSource {
  private static final List<String> SPLITS = List.of("train", "val");

  private final String name;
  private final Path root;
  private final List<String> wnids;
  private final String classesFrom;
  private final Map<String, Integer> labelOf = new HashMap<>();

  /**
   * Reads the class list (see {@link ImageNetLabels#classes}); the images are read only by {@link #samples}.
   *
   * @param name dataset name for topics and the manifest; null for "imagenet-1k"
   * @throws IllegalArgumentException when {@code root} is no ILSVRC2012 tree or its label files are broken
   */
  public ImageNetFolder(String name, Path root) {
    this.name = name == null ? "imagenet-1k" : name;
    this.root = root;
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("ImageNet directory " + root + " does not exist or is not a directory");
    }
    if (!Files.isDirectory(root.resolve("train")) && !Files.isDirectory(root.resolve("val"))) {
      throw new IllegalArgumentException(root + " has neither train/ nor val/; point imagenet: at the directory "
          + "that holds train/<wnid>/*.JPEG and val/");
    }
    ImageNetLabels.Classes classes = ImageNetLabels.classes(root);
    this.wnids = classes.wnids();
    this.classesFrom = classes.from();
    for (int i = 0; i < wnids.size(); i++) {
      labelOf.put(wnids.get(i), i);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "imagenet:" + root;
  }

  /** Wnids in label order (sorted). */
  @Override
  public List<String> classNames() {
    return wnids;
  }

  /** Where the class list came from, e.g. "train/ class directories", for logs and the manifest. */
  public String classesFrom() {
    return classesFrom;
  }

  /** Every file {@link #samples} will hand out, rejected ones included; one directory listing per class. */
  @Override
  public OptionalLong expectedSize(String split) {
    SortedFileWalk walk = new SortedFileWalk(splitDir(split), 2);
    long n = 0;
    while (walk.hasNext()) {
      if (!skipped(split, walk.next())) {
        n++;
      }
    }
    return OptionalLong.of(n);
  }

  @Override
  public Iterator<Sample> samples(String split) {
    return samples(split, 0);
  }

  /**
   * Plans every file first (a listing, no reads), so a resumed publish skips without reading
   * images. Train files go out class by class in turn (round-robin over sorted wnids, sorted
   * within each class), so every stretch of the topic, and every partition, holds a class mix.
   */
  @Override
  public Iterator<Sample> samples(String split, long fromIndex) {
    List<Planned> plan = plan(split);
    Iterator<Planned> it = plan.subList((int) Math.min(fromIndex, plan.size()), plan.size()).iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Sample next() {
        return load(it.next());
      }
    };
  }

  private List<Planned> plan(String split) {
    Path dir = splitDir(split);
    ImageNetLabels.ValLabels flatLabels = "val".equals(split) && hasFlatImages(dir)
        ? ImageNetLabels.valLabels(root) : null;
    SortedFileWalk walk = new SortedFileWalk(dir, 2);
    List<Planned> planned = new ArrayList<>();
    while (walk.hasNext()) {
      SortedFileWalk.Entry e = walk.next();
      if (!skipped(split, e)) {
        planned.add(plan(split, e, flatLabels));
      }
    }
    return "train".equals(split) ? roundRobinByClass(planned) : planned;
  }

  /** Files without a class (rejects) first, then one file of each class in turn. */
  static List<Planned> roundRobinByClass(List<Planned> planned) {
    Map<String, ArrayDeque<Planned>> byClass = new TreeMap<>();
    List<Planned> out = new ArrayList<>(planned.size());
    for (Planned p : planned) {
      if (p.wnid() == null) {
        out.add(p);
      } else {
        byClass.computeIfAbsent(p.wnid(), k -> new ArrayDeque<>()).add(p);
      }
    }
    while (!byClass.isEmpty()) {
      var it = byClass.values().iterator();
      while (it.hasNext()) {
        ArrayDeque<Planned> q = it.next();
        out.add(q.poll());
        if (q.isEmpty()) {
          it.remove();
        }
      }
    }
    return out;
  }

  private Path splitDir(String split) {
    if (!SPLITS.contains(split)) {
      throw new IllegalArgumentException("ImageNet split must be train or val, got '" + split + "'");
    }
    Path dir = root.resolve(split);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no " + split + "/ directory in " + root + "; ImageNet keeps the "
          + split + " split in " + dir);
    }
    return dir;
  }

  /** Label files that sit among the val images are not images. */
  private static boolean skipped(String split, SortedFileWalk.Entry e) {
    return "val".equals(split) && e.depth() == 1 && !e.directory()
        && ImageNetLabels.isLabelFile(e.path().getFileName().toString());
  }

  private static boolean hasFlatImages(Path valDir) {
    try {
      return SortedFileWalk.list(valDir).stream().anyMatch(
          p -> !Files.isDirectory(p) && !ImageNetLabels.isLabelFile(p.getFileName().toString()));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + valDir + ": " + e.getMessage(), e);
    }
  }

  /** One file to hand out: its wnid, or the reason it cannot be a sample. */
  private record Planned(Path file, String key, String source, String wnid, String problem) {}

  private Planned plan(String split, SortedFileWalk.Entry e, ImageNetLabels.ValLabels flatLabels) {
    String fileName = e.path().getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String key = dot > 0 ? fileName.substring(0, dot) : fileName;
    String source = root.relativize(e.path()).toString().replace('\\', '/');
    String wnid = null;
    String problem = null;
    if (e.error() != null) {
      problem = "cannot list directory: " + describe(e.error());
    } else if (e.directory()) {
      problem = "directory nested in a class directory; images belong directly in " + split + "/<wnid>/";
    } else if (e.depth() == 2) {
      wnid = e.path().getParent().getFileName().toString();
    } else if ("train".equals(split)) {
      problem = "not in a class directory; train/ holds one directory per wnid (train/<wnid>/*.JPEG)";
    } else {
      wnid = flatLabels.wnidByStem().get(key);
      if (wnid == null) {
        problem = "no label for " + key + " in " + flatLabels.from();
      }
    }
    if (wnid != null && !labelOf.containsKey(wnid)) {
      problem = "unknown wnid " + wnid + ": not among the " + wnids.size() + " classes from " + classesFrom;
    }
    return new Planned(e.path(), key, source, wnid, problem);
  }

  private Sample load(Planned p) {
    if (p.problem() != null) {
      return Sample.rejected(p.key(), p.source(), p.problem(), null);
    }
    try {
      if (Files.exists(p.file()) && !Files.isRegularFile(p.file())) {
        return Sample.rejected(p.key(), p.source(), "not a regular file (device, pipe or socket)", null);
      }
      if (Files.size(p.file()) > Integer.MAX_VALUE - 16) {
        return Sample.rejected(p.key(), p.source(), "file of " + Files.size(p.file()) + " bytes is too large "
            + "to be one image", null);
      }
      byte[] bytes = Files.readAllBytes(p.file());
      if (bytes.length == 0) {
        return Sample.rejected(p.key(), p.source(), "empty file (0 bytes); copy it again from the original archive",
            bytes);
      }
      return new Sample(p.key(), labelOf.get(p.wnid()), p.wnid(), bytes, p.source());
    } catch (IOException e) {
      return Sample.rejected(p.key(), p.source(), "unreadable: " + describe(e), null);
    }
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + " " + e.getMessage();
  }
}
