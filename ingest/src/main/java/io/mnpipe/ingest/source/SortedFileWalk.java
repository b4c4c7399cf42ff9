package io.mnpipe.ingest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * A directory in, its entries out: depth first, names sorted at every level so two runs over the
 * same tree see the same sequence (a resumed publish relies on that), listed one directory at a
 * time so a 1.28-million-file tree never sits in memory. Names starting with a dot (.DS_Store,
 * editor and sync droppings) are skipped. Directories deeper than {@code maxDepth} are not entered
 * but handed out as entries, which keeps symlink loops and stray nesting harmless.
 */
final class SortedFileWalk implements Iterator<SortedFileWalk.Entry> {
  /**
   * One entry below the root.
   *
   * @param path the entry
   * @param depth 1 for the root's own children
   * @param directory whether it is a directory that was not entered
   * @param error set when the directory {@code path} could not be listed
   */
  record Entry(Path path, int depth, boolean directory, IOException error) {}

  private record Level(Iterator<Path> entries, int depth) {}

  private final Deque<Level> stack = new ArrayDeque<>();
  private final int maxDepth;
  private Entry pending;

  /** Walks {@code root}, handing out entries down to {@code maxDepth} (1: only the root's children). */
  SortedFileWalk(Path root, int maxDepth) {
    this.maxDepth = maxDepth;
    enter(root, 0);
  }

  private void enter(Path dir, int depth) {
    try {
      stack.push(new Level(list(dir).iterator(), depth + 1));
    } catch (IOException e) {
      pending = new Entry(dir, depth, true, e);
    }
  }

  /** The visible children of {@code dir}, sorted by name. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  @Override
  public boolean hasNext() {
    advance();
    return pending != null;
  }

  @Override
  public Entry next() {
    advance();
    if (pending == null) {
      throw new NoSuchElementException();
    }
    Entry e = pending;
    pending = null;
    return e;
  }

  private void advance() {
    while (pending == null && !stack.isEmpty()) {
      Level top = stack.peek();
      if (!top.entries().hasNext()) {
        stack.pop();
        continue;
      }
      Path p = top.entries().next();
      boolean dir = Files.isDirectory(p);
      if (dir && top.depth() < maxDepth) {
        enter(p, top.depth());
      } else {
        pending = new Entry(p, top.depth(), dir, null);
      }
    }
  }
}
