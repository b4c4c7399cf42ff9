package io.mnpipe.trainer.recipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recipe name (or a .yaml path) in, a {@link Recipe} out: the files in
 * {@code trainer/src/main/resources/recipes/} keep MindCV's config keys so they can be compared
 * line by line. YAML here is the flat subset those configs use ({@code key: value}, comments,
 * quoted strings), read by a few lines of code instead of a YAML library; nesting or lists are
 * refused with the line number.
 */
public final class Recipes {
  /** The recipes shipped with the trainer. */
  public static final List<String> NAMES =
      List.of("mobilenet_v1_025", "mobilenet_v2_100", "mobilenet_v2_100_quant", "mobilenet_v3_large_100", "mobilenet_v3_small_100");
  private static final Pattern LINE = Pattern.compile("([a-z_][a-z0-9_]*):\\s*(.*)");
  private static final Set<String> KEYS = Set.of("model", "num_devices", "batch_size", "epoch_size", "image_resize",
      "label_smoothing", "scheduler", "lr", "min_lr", "warmup_epochs", "opt", "momentum", "use_nesterov",
      "weight_decay", "filter_bias_and_bn", "color_jitter", "quantization_aware", "freeze_bn_epoch");

  private Recipes() {}

  /** The shipped recipe {@code name}, or the recipe file at that path when it ends in .yaml. */
  public static Recipe load(String name) {
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      Path file = Path.of(name);
      try {
        String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return parse(stem, Files.readString(file), file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read recipe file " + file + ": " + e.getMessage(), e);
      }
    }
    try (InputStream in = Recipes.class.getResourceAsStream("/recipes/" + name + ".yaml")) {
      if (in == null || !NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown recipe '" + name + "'; known: " + String.join(", ", NAMES)
            + " (or a path to a .yaml file)");
      }
      return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), "recipes/" + name + ".yaml");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read recipe " + name, e);
    }
  }

  /** Parses recipe text; {@code where} names it in errors. */
  public static Recipe parse(String name, String text, String where) {
    Map<String, String> kv = new HashMap<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].replaceFirst("\\s+#.*$", "").replaceFirst("^#.*$", "");
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line.strip());
      if (Character.isWhitespace(line.charAt(0)) || !m.matches() || m.group(2).isEmpty()
          || m.group(2).startsWith("[") || m.group(2).startsWith("{")) {
        throw new IllegalArgumentException(where + " line " + (i + 1) + ": only flat 'key: value' lines are"
            + " supported, got '" + lines[i].strip() + "'");
      }
      if (!KEYS.contains(m.group(1))) {
        throw new IllegalArgumentException(where + " line " + (i + 1) + ": unknown key '" + m.group(1) + "'; known: "
            + String.join(", ", KEYS.stream().sorted().toList()));
      }
      if (kv.put(m.group(1), m.group(2).strip().replaceAll("^['\"]|['\"]$", "")) != null) {
        throw new IllegalArgumentException(where + " line " + (i + 1) + ": '" + m.group(1) + "' given twice");
      }
    }
    try {
      expect(kv, "scheduler", "cosine_decay", where);
      expect(kv, "opt", "momentum", where);
      expect(kv, "filter_bias_and_bn", "true", where);
      if (Double.parseDouble(kv.getOrDefault("min_lr", "0")) != 0) {
        throw new IllegalArgumentException(where + ": min_lr must be 0 (the cosine decays to 0)");
      }
      return new Recipe(name, req(kv, "model", where), Integer.parseInt(kv.getOrDefault("num_devices", "8")),
          Integer.parseInt(req(kv, "batch_size", where)), Integer.parseInt(req(kv, "epoch_size", where)),
          Integer.parseInt(kv.getOrDefault("image_resize", "224")), Double.parseDouble(req(kv, "lr", where)),
          Double.parseDouble(kv.getOrDefault("warmup_epochs", "0")), Double.parseDouble(req(kv, "weight_decay", where)),
          Double.parseDouble(kv.getOrDefault("momentum", "0.9")), bool(kv.getOrDefault("use_nesterov", "false")),
          Double.parseDouble(kv.getOrDefault("label_smoothing", "0")),
          Double.parseDouble(kv.getOrDefault("color_jitter", "0")),
          bool(kv.getOrDefault("quantization_aware", "false")), Integer.parseInt(kv.getOrDefault("freeze_bn_epoch", "0")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": not a number: " + e.getMessage(), e);
    }
  }

  private static String req(Map<String, String> kv, String key, String where) {
    String v = kv.get(key);
    if (v == null) {
      throw new IllegalArgumentException(where + ": '" + key + "' is required");
    }
    return v;
  }

  private static void expect(Map<String, String> kv, String key, String only, String where) {
    String v = kv.get(key);
    if (v != null && !v.equalsIgnoreCase(only)) {
      throw new IllegalArgumentException(where + ": " + key + " '" + v + "' is not supported; the trainer does "
          + only);
    }
  }

  private static boolean bool(String v) {
    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("not a boolean: " + v);
    }
    return Boolean.parseBoolean(v);
  }
}
