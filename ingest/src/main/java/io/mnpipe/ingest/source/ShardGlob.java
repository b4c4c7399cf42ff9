package io.mnpipe.ingest.source;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shard pattern in ({@code /data/train-{000000..000146}.tar}, {@code /data/train-*.tar}), the
 * existing shard files out, in pattern order. Braces expand as in bash ({@code {a..b}} numeric
 * ranges, zero-padded when either end is; {@code {x,y}} alternatives) and may sit anywhere;
 * {@code * ? [...]} globs work in the file-name part and match in sorted order. Expanding here
 * rather than in the shell keeps one argument per dataset and lets us say which shard is missing.
 */
final class ShardGlob {
  private static final Pattern RANGE = Pattern.compile("(-?\\d+)\\.\\.(-?\\d+)");
  private static final int MAX_EXPANSION = 1_000_000;

  private ShardGlob() {}

  /**
   * The shard files of {@code pattern}, duplicates dropped.
   *
   * @throws IllegalArgumentException when a named shard is missing or a glob matches nothing
   */
  static List<Path> expand(String pattern) {
    Set<Path> shards = new LinkedHashSet<>();
    for (String s : braces(pattern)) {
      Path p = Path.of(s);
      String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
      if (isGlob(fileName)) {
        shards.addAll(glob(p, pattern));
      } else if (Files.isRegularFile(p)) {
        shards.add(p);
      } else {
        throw new IllegalArgumentException("shard " + p + " does not exist or is not a file (from wds:" + pattern
            + "); check the path and the {first..last} range");
      }
    }
    return List.copyOf(shards);
  }

  private static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  private static List<Path> glob(Path p, String pattern) {
    Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
    if (isGlob(dir.toString())) {
      throw new IllegalArgumentException("wds:" + pattern + ": * ? [ ] work in the file name only, not in " + dir
          + "; use {a,b} or {first..last} for directories");
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
    List<Path> matches;
    try {
      matches = SortedFileWalk.list(dir).stream()
          .filter(f -> matcher.matches(f.getFileName()) && Files.isRegularFile(f)).toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + dir + " for wds:" + pattern + ": " + e.getMessage(), e);
    }
    if (matches.isEmpty()) {
      throw new IllegalArgumentException("no shard matches " + p + " (from wds:" + pattern + ")");
    }
    return matches;
  }

  /** Bash-style brace expansion, left to right; a brace pair that is neither range nor list stays as it is. */
  static List<String> braces(String s) {
    return braces(s, 0);
  }

  private static List<String> braces(String s, int from) {
    int open = s.indexOf('{', from);
    int close = open < 0 ? -1 : s.indexOf('}', open);
    if (close < 0) {
      return List.of(s);
    }
    List<String> choices = choices(s.substring(open + 1, close));
    if (choices == null) {
      return braces(s, close + 1);
    }
    String head = s.substring(0, open);
    List<String> tails = braces(s.substring(close + 1), 0);
    if ((long) choices.size() * tails.size() > MAX_EXPANSION) {
      throw new IllegalArgumentException("'" + s + "' expands to more than " + MAX_EXPANSION + " shards");
    }
    List<String> out = new ArrayList<>(choices.size() * tails.size());
    for (String c : choices) {
      for (String t : tails) {
        out.add(head + c + t);
      }
    }
    return out;
  }

  private static List<String> choices(String body) {
    Matcher m = RANGE.matcher(body);
    if (m.matches()) {
      return range(m.group(1), m.group(2));
    }
    return body.contains(",") ? List.of(body.split(",", -1)) : null;
  }

  private static List<String> range(String first, String last) {
    long a = Long.parseLong(first);
    long b = Long.parseLong(last);
    if (Math.abs(b - a) >= MAX_EXPANSION) {
      throw new IllegalArgumentException("{" + first + ".." + last + "} expands to more than " + MAX_EXPANSION
          + " shards");
    }
    boolean padded = zeroPadded(first) || zeroPadded(last);
    int width = padded ? Math.max(first.length(), last.length()) : 0;
    String format = padded ? "%0" + width + "d" : "%d";
    List<String> out = new ArrayList<>();
    long step = a <= b ? 1 : -1;
    for (long i = a; ; i += step) {
      out.add(String.format(format, i));
      if (i == b) {
        return out;
      }
    }
  }

  private static boolean zeroPadded(String n) {
    String digits = n.startsWith("-") ? n.substring(1) : n;
    return digits.length() > 1 && digits.charAt(0) == '0';
  }
}
