package io.mnpipe.ingest.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A class-names file or a class count in, a class list in label order out. */
public final class ClassLists {
  private ClassLists() {}

  /**
   * Reads one class per non-blank line, keeping only the line's first word, so a plain wnid list
   * ({@code synsets.txt}) and Kaggle's {@code LOC_synset_mapping.txt} ("n01440764 tench, Tinca
   * tinca") both work as they are. Lines starting with {@code #} are comments. Line order is label
   * order.
   *
   * @throws IllegalArgumentException when the file is missing, empty or names a class twice
   */
  public static List<String> read(Path file) {
    List<String> lines = lines(file);
    List<String> names = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String name = line.split("\\s+", 2)[0];
      Integer before = seen.putIfAbsent(name, i + 1);
      if (before != null) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": class '" + name + "' already named on line "
            + before + "; a class list names each class once");
      }
      names.add(name);
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("class list " + file + " names no classes; put one class per line");
    }
    return List.copyOf(names);
  }

  /** {@code class_0 .. class_<n-1>}, zero-padded to one width so they sort in label order. */
  public static List<String> indexed(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("class count must be positive, got " + n);
    }
    int width = String.valueOf(n - 1).length();
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      names.add(String.format("class_%0" + width + "d", i));
    }
    return List.copyOf(names);
  }

  /** Reads a small text file whole, turning a failure into one that names the file. */
  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
