package io.mnpipe.ingest.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * WebDataset tar shards in ({@code wds:/data/imagenet-train-{000000..000146}.tar}), one labelled
 * sample per key out, streamed member by member so no shard is extracted or held whole.
 *
 * <p>A sample is the run of adjacent members sharing a key (the member path up to the first dot of
 * its base name): an image {@code <key>.jpg|.jpeg|.png} (any case) and {@code <key>.cls} holding the
 * decimal class index. Other members ({@code .json}, {@code .txt}) are skipped unread; with several
 * images the first wins. Shards may be plain tar or gzipped ({@code .tar.gz}, {@code .tgz}).
 *
 * <p>WebDataset carries no class list, so the caller passes one (e.g. a wnid file via
 * {@link ClassLists#read}, or {@link ClassLists#indexed} for {@code --classes N}); without one the
 * source assumes the ImageNet-1k case, {@value #DEFAULT_CLASSES} classes named {@code class_000 ..
 * class_999}, and rejects indexes beyond them. Keys are {@code <shard name>/<key>}, unique across
 * shards. The split is whatever the user says these shards are.
 */
public final class WebDatasetShards implements DatasetSource {
  /** Class count assumed when no class list is given: ImageNet-1k, the usual content of WDS shards. */
  public static final int DEFAULT_CLASSES = 1000;

  private final String name;
  private final String pattern;
  private final List<Path> shards;
  private final List<String> classNames;

  /**
   * Expands {@code pattern} now (see {@link ShardGlob}); the shards are opened only by {@link #samples}.
   *
   * @param classNames label order; null for {@value #DEFAULT_CLASSES} indexed names
   * @throws IllegalArgumentException when a shard is missing or a glob matches nothing
   */
  public WebDatasetShards(String name, String pattern, List<String> classNames) {
    this.name = name;
    this.pattern = pattern;
    this.shards = ShardGlob.expand(pattern);
    this.classNames = classNames == null ? ClassLists.indexed(DEFAULT_CLASSES) : List.copyOf(classNames);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "wds:" + pattern;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  /** The shard files, in the order they are read. */
  public List<Path> shards() {
    return shards;
  }

  /** Samples of every shard in turn; the iterator is also {@link AutoCloseable}, to stop early. */
  @Override
  public Iterator<Sample> samples(String split) {
    if (split == null || !split.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("split must be a plain name such as train or val, got '" + split + "'");
    }
    return new ShardIterator();
  }

  /** The shard name a key starts with: its file name without .tar, .tar.gz or .tgz. */
  static String shardName(Path shard) {
    return shard.getFileName().toString().replaceFirst("(\\.tar|\\.tar\\.gz|\\.tgz)$", "");
  }

  /** One tar member that may belong to a sample; {@code data} is read only for images and .cls. */
  private record Member(String key, String extension, String path, byte[] data) {}

  /** Members of one key, as they are collected. */
  private static final class Group {
    final String key;
    final List<String> members = new ArrayList<>();
    Member image;
    Member cls;

    Group(String key) {
      this.key = key;
    }
  }

  private final class ShardIterator implements Iterator<Sample>, AutoCloseable {
    private int nextShard;
    private Path shard;
    private TarArchiveInputStream tar;
    private Member carried; // first member of the next group, read while finding the end of this one
    private final Set<String> keysSeen = new HashSet<>();
    private Sample pending;

    @Override
    public boolean hasNext() {
      while (pending == null) {
        if (tar == null) {
          if (!openNextShard()) {
            return false;
          }
          continue; // a shard that failed to open left its rejection in pending
        }
        pending = readGroup();
      }
      return true;
    }

    @Override
    public Sample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Sample s = pending;
      pending = null;
      return s;
    }

    @Override
    public void close() {
      closeShard();
      nextShard = shards.size();
    }

    /** Opens the next shard, or leaves a rejection in pending for one that cannot be opened; false when none is left. */
    private boolean openNextShard() {
      while (nextShard < shards.size()) {
        shard = shards.get(nextShard++);
        keysSeen.clear();
        InputStream in = null;
        try {
          in = new BufferedInputStream(Files.newInputStream(shard), 1 << 16);
          String file = shard.getFileName().toString();
          tar = new TarArchiveInputStream(file.endsWith(".gz") || file.endsWith(".tgz") ? new GZIPInputStream(in) : in);
          return true;
        } catch (IOException e) {
          closeQuietly(in);
          pending = Sample.rejected(shardName(shard) + "/", shard.toString(),
              "cannot open shard: " + e.getClass().getSimpleName() + " " + e.getMessage(), null);
          return true;
        }
      }
      return false;
    }

    /** The next sample of the current shard, or null at its end (the shard is then closed). */
    private Sample readGroup() {
      Group g = null;
      try {
        while (true) {
          Member m = carried != null ? carried : readMember();
          carried = null;
          if (m == null) {
            closeShard();
            return g == null ? null : toSample(g);
          }
          if (g != null && !g.key.equals(m.key())) {
            carried = m;
            return toSample(g);
          }
          g = g == null ? new Group(m.key()) : g;
          add(g, m);
        }
      } catch (IOException e) {
        String at = g == null ? "" : g.key;
        Path broken = shard;
        closeShard();
        return Sample.rejected(shardName(broken) + "/" + at, broken.toString(), "shard unreadable from here on ("
            + e.getClass().getSimpleName() + " " + e.getMessage() + "); the rest of this shard is skipped: "
            + "check or rewrite the file", null);
      }
    }

    private Member readMember() throws IOException {
      TarArchiveEntry entry;
      do {
        entry = tar.getNextEntry();
      } while (entry != null && !entry.isFile());
      if (entry == null) {
        return null;
      }
      String path = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
      int slash = path.lastIndexOf('/');
      int dot = path.indexOf('.', slash + 1);
      String key = dot < 0 ? path : path.substring(0, dot);
      String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
      boolean wanted = isImage(ext) || ext.equals("cls");
      return new Member(key, ext, path, wanted ? tar.readAllBytes() : null);
    }

    /** A complete group as a sample, or as a rejection saying what is missing. */
    private Sample toSample(Group g) {
      String key = shardName(shard) + "/" + g.key;
      String file = shard.getFileName().toString();
      byte[] image = g.image == null ? null : g.image.data();
      String source = file + ":" + (g.image == null ? g.members.get(0) : g.image.path());
      String problem = null;
      int label = -1;
      if (!keysSeen.add(g.key)) {
        problem = "members of key " + g.key + " are not adjacent in " + file + "; WebDataset needs each sample's "
            + "members next to each other (rewrite the shard with webdataset's ShardWriter or tarp)";
      } else if (g.image == null) {
        problem = "no image member (" + g.key + ".jpg, .jpeg or .png); members: " + String.join(", ", g.members);
      } else if (g.cls == null) {
        problem = "no " + g.key + ".cls member holding the class index; members: " + String.join(", ", g.members);
      } else if (image.length == 0) {
        problem = "empty image member " + g.image.path();
      } else {
        String text = new String(g.cls.data(), StandardCharsets.US_ASCII).strip();
        try {
          label = Integer.parseInt(text);
          if (label < 0 || label >= classNames.size()) {
            problem = "class index " + label + " in " + g.cls.path() + " is out of range 0.." + (classNames.size() - 1)
                + " (" + classNames.size() + " classes); pass the class list these shards were written with";
          }
        } catch (NumberFormatException e) {
          problem = g.cls.path() + " holds '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
              + "', not a decimal class index";
        }
      }
      return problem != null ? Sample.rejected(key, source, problem, image)
          : new Sample(key, label, classNames.get(label), image, source);
    }

    private void closeShard() {
      closeQuietly(tar);
      tar = null;
      carried = null;
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing more is read from it; a close failure changes no sample
      }
    }
  }

  private static boolean isImage(String ext) {
    return ext.equals("jpg") || ext.equals("jpeg") || ext.equals("png");
  }

  private static void add(Group g, Member m) {
    g.members.add(m.path());
    if (isImage(m.extension()) && g.image == null) {
      g.image = m;
    } else if (m.extension().equals("cls") && g.cls == null) {
      g.cls = m;
    }
  }
}
