package io.mnpipe.ingest.source;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;

/**
 * A source spec as a user types it ({@code imagenet:DIR}, {@code wds:GLOB}, {@code cifar10:DIR},
 * {@code fashion-mnist:DIR}, {@code synthetic}) and a dataset name in, the {@link DatasetSource}
 * that reads it out. The CLI's one entry point into the readers, so every command accepts the same
 * specs and says the same thing about a bad one.
 */
public final class DatasetSources {
  /** The source kinds, in the order the help text lists them. */
  public static final List<String> KINDS = List.of("imagenet", "wds", "cifar10", "fashion-mnist", "synthetic");

  private DatasetSources() {}

  /**
   * A parsed spec: the kind before the first colon, the location (directory or shard pattern) after it.
   *
   * @param kind one of {@link #KINDS}
   * @param location directory or shard pattern; empty for synthetic
   */
  public record Spec(String kind, String location) {
    public Spec {
      if (!KINDS.contains(kind)) {
        throw new IllegalArgumentException("unknown source kind '" + kind + "'; known: " + String.join(", ", KINDS));
      }
      if (kind.equals("synthetic") != location.isEmpty()) {
        throw new IllegalArgumentException(kind.equals("synthetic")
            ? "synthetic takes no location, got '" + location + "'"
            : kind + ": needs a " + (kind.equals("wds") ? "shard pattern, e.g. wds:/data/train-{000000..000146}.tar"
                : "directory, e.g. " + kind + ":/data/" + kind));
      }
    }

    /** Splits {@code kind:location}; a leading {@code ~/} in the location means the home directory. */
    public static Spec parse(String spec) {
      if (spec == null || spec.isBlank()) {
        throw new IllegalArgumentException("empty source spec; use one of " + String.join(", ", KINDS)
            + ", e.g. imagenet:/data/ilsvrc2012");
      }
      int colon = spec.indexOf(':');
      String kind = (colon < 0 ? spec : spec.substring(0, colon)).strip();
      String location = colon < 0 ? "" : spec.substring(colon + 1).strip();
      if (location.startsWith("~/")) {
        location = System.getProperty("user.home") + location.substring(1);
      }
      return new Spec(kind, location);
    }

    /** The dataset name used when the user gives none. */
    /** Datasets of tiny images (28-32 px): models train and evaluate on the whole image, resized. */
    public boolean smallImages() {
      return kind.equals("fashion-mnist") || kind.equals("cifar10");
    }

    public String defaultName() {
      return switch (kind) {
        case "imagenet" -> "imagenet-1k";
        default -> kind;
      };
    }
  }

  /** {@link #open(String, String, List)} with the source's own class list. */
  public static DatasetSource open(String spec, String datasetName) {
    return open(spec, datasetName, null);
  }

  /**
   * Opens the source a spec names.
   *
   * @param datasetName what {@link DatasetSource#name()} returns (topic names derive from it); null or blank
   *     for the kind's default
   * @param classNames label order for {@code wds:} (null: {@value WebDatasetShards#DEFAULT_CLASSES} indexed names);
   *     must be null for the other kinds, which carry their own
   * @throws IllegalArgumentException for an unknown kind, a missing directory or shard, or broken label files
   */
  public static DatasetSource open(String spec, String datasetName, List<String> classNames) {
    Spec s = Spec.parse(spec);
    String name = datasetName == null || datasetName.isBlank() ? s.defaultName() : datasetName;
    if (classNames != null && !s.kind().equals("wds")) {
      throw new IllegalArgumentException("a class list can only be given for wds: shards; " + s.kind()
          + " reads its own classes");
    }
    return switch (s.kind()) {
      case "imagenet" -> new ImageNetFolder(name, Path.of(s.location()));
      case "wds" -> new WebDatasetShards(name, s.location(), classNames);
      case "cifar10" -> new Cifar10Binary(name, Path.of(s.location()));
      case "fashion-mnist" -> new FashionMnistIdx(name, Path.of(s.location()));
      default -> renamed(new SyntheticDataset(SyntheticDataset.Config.defaults()), name);
    };
  }

  private static DatasetSource renamed(DatasetSource source, String name) {
    return source.name().equals(name) ? source : new Renamed(name, source);
  }

  /** A source published under another name (SyntheticDataset names itself). */
  private record Renamed(String name, DatasetSource inner) implements DatasetSource {
    @Override
    public String description() {
      return inner.description();
    }

    @Override
    public List<String> classNames() {
      return inner.classNames();
    }

    @Override
    public Iterator<Sample> samples(String split) {
      return inner.samples(split);
    }

    @Override
    public OptionalLong expectedSize(String split) {
      return inner.expectedSize(split);
    }
  }
}
