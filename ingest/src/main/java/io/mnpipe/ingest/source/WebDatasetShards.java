package io.mnpipe.ingest.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
   * @param name dataset name for topics and the manifest; null for "wds"
   * @param classNames label order; null for {@value #DEFAULT_CLASSES} indexed names
   * @throws IllegalArgumentException when a shard is missing or a glob matches nothing
   */
  public WebDatasetShards(String name, String pattern, List<String> classNames) {
    this.name = name == null ? "wds" : name;
    this.pattern = pattern;
    this.shards = ShardGlob.expand(pattern);
    if (classNames != null && classNames.isEmpty()) {
      throw new IllegalArgumentException("wds:" + pattern + ": the class list is empty; give one name per class");
    }
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
  private record Member(String key, String extension, String path, byte[] data, IOException error) {}

  /** Key of a member whose header could not be read; NUL cannot occur in a tar name. */
  private static final String UNKNOWN_KEY = "\0";

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

  private final class ShardIterator extends LookaheadIterator {
    private int nextShard;
    private Path shard;
    private TarArchiveInputStream tar;
    private Member carried; // first member of the next group, read while finding the end of this one
    private final Map<String, Integer> keysSeen = new HashMap<>(); // key -> groups so far, in this shard

    @Override
    protected boolean advance() {
      if (tar == null) {
        return openNextShard(); // a shard that fails to open leaves its rejection in pending
      }
      pending = readGroup();
      return true;
    }

    @Override
    public void close() {
      closeShard();
      nextShard = shards.size();
    }

    /** Opens the next shard, or leaves a rejection in pending for one that cannot be opened; false at the end. */
    private boolean openNextShard() {
      if (nextShard < shards.size()) {
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
      while (true) {
        Member m = carried != null ? carried : readMember();
        carried = null;
        if (m == null) {
          closeShard();
          return g == null ? null : toSample(g);
        }
        if (g != null && !g.key.equals(m.key())) {
          carried = m; // the next group's first member, or the break that ends the shard
          return toSample(g);
        }
        if (m.error() != null) {
          return brokenShard(m);
        }
        g = g == null ? new Group(m.key()) : g;
        add(g, m);
      }
    }

    /**
     * The next file member, with its content if it is an image or a .cls; null at the end. A read
     * failure comes back as a member carrying the error, under its own key when the header was
     * read, so the complete samples before it still come out.
     */
    private Member readMember() {
      TarArchiveEntry entry;
      try {
        do {
          entry = tar.getNextEntry();
        } while (entry != null && !entry.isFile());
      } catch (IOException e) {
        return new Member(UNKNOWN_KEY, "", "(next header)", null, e);
      }
      if (entry == null) {
        return null;
      }
      String path = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
      int slash = path.lastIndexOf('/');
      int dot = path.indexOf('.', slash + 1);
      String key = dot < 0 ? path : path.substring(0, dot);
      String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
      try {
        boolean wanted = isImage(ext) || ext.equals("cls");
        return new Member(key, ext, path, wanted ? tar.readAllBytes() : null, null);
      } catch (IOException e) {
        return new Member(key, ext, path, null, e);
      }
    }

    /** The rejection that ends a shard which cannot be read further. */
    private Sample brokenShard(Member m) {
      String name = m.key().equals(UNKNOWN_KEY) ? "" : m.key();
      int occurrence = keysSeen.merge(name, 1, Integer::sum);
      String key = shardName(shard) + "/" + name + (occurrence > 1 ? "#" + occurrence : "");
      String source = shard.getFileName() + ":" + m.path();
      closeShard();
      return Sample.rejected(key, source, "shard unreadable from here on (" + m.error().getClass().getSimpleName() + " "
          + m.error().getMessage() + "); the rest of this shard is skipped: check or rewrite the file", null);
    }

    /** A complete group as a sample, or as a rejection saying what is missing. */
    private Sample toSample(Group g) {
      int occurrence = keysSeen.merge(g.key, 1, Integer::sum);
      // A repeat gets its own key (#2, #3), so keys stay unique even where the shard breaks the rules.
      String key = shardName(shard) + "/" + g.key + (occurrence > 1 ? "#" + occurrence : "");
      String file = shard.getFileName().toString();
      byte[] image = g.image == null ? null : g.image.data();
      String source = file + ":" + (g.image == null ? g.members.get(0) : g.image.path());
      String problem = null;
      int label = -1;
      if (occurrence > 1) {
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
