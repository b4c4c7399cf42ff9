package io.mnpipe.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model name in, a DJL block out: the registry of MobileNets by canonical name
 * ({@code mobilenet_v1_025}, {@code mobilenet_v2_140}, {@code mobilenet_v3_large_100}, ...), and what
 * each costs. A family adds itself by calling {@link #register} from the static block below.
 */
public final class MobileNets {
  private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

  static {
    for (String w : List.of("025", "050", "075", "100")) {
      float width = Integer.parseInt(w) / 100f;
      register(new ModelSpec("mobilenet_v1_" + w, "mobilenet_v1", width, 224,
          n -> MobileNetV1.builder().setNumClasses(n).optWidth(width).build(),
          n -> MobileNetV1.builder().setNumClasses(n).optWidth(width).optQuantized(true).build()));
    }
    for (String w : List.of("035", "050", "075", "100", "140")) {
      float width = Integer.parseInt(w) / 100f;
      register(new ModelSpec("mobilenet_v2_" + w, "mobilenet_v2", width, 224,
          n -> MobileNetV2.builder().setNumClasses(n).optWidth(width).build(),
          n -> MobileNetV2.builder().setNumClasses(n).optWidth(width).optQuantized(true).build()));
    }
    for (MobileNetV3.Variant variant : MobileNetV3.Variant.values()) {
      String family = "mobilenet_v3_" + variant.name().toLowerCase(Locale.ROOT);
      for (String w : List.of("075", "100")) {
        float width = Integer.parseInt(w) / 100f;
        register(new ModelSpec(family + "_" + w, family, width, 224,
            n -> MobileNetV3.builder().setVariant(variant).setNumClasses(n).optWidth(width).build()));
      }
    }
  }

  private MobileNets() {}

  private static synchronized void register(ModelSpec spec) {
    if (MODELS.putIfAbsent(spec.name(), spec) != null) {
      throw new IllegalStateException("model '" + spec.name() + "' registered twice");
    }
  }

  /** Canonical names in registration order. */
  public static synchronized List<String> names() {
    return List.copyOf(MODELS.keySet());
  }

  public static synchronized boolean exists(String name) {
    return MODELS.containsKey(name);
  }

  /** The spec of {@code name}; IllegalArgumentException naming the known models otherwise. */
  public static synchronized ModelSpec spec(String name) {
    ModelSpec spec = MODELS.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", MODELS.keySet()));
    }
    return spec;
  }

  /** A fresh, uninitialised block of model {@code name} with {@code numClasses} outputs. */
  public static Block create(String name, int numClasses) {
    return spec(name).create(numClasses);
  }

  /** A fresh, uninitialised block of {@code name}, in its QAT form when {@code quantized}. */
  public static Block create(String name, int numClasses, boolean quantized) {
    return quantized ? spec(name).createQuantized(numClasses) : create(name, numClasses);
  }

  /**
   * Trainable parameters of an initialised block, counted as torchvision does: weights, biases,
   * BN gamma and beta, but not BN running statistics (nor a quantized model's activation ranges).
   */
  public static long countParameters(Block block) {
    long total = 0;
    for (Parameter p : block.getParameters().values()) {
      Parameter.Type t = p.getType();
      if (t != Parameter.Type.RUNNING_MEAN && t != Parameter.Type.RUNNING_VAR && t != Parameter.Type.OTHER) {
        total += p.getArray().size();
      }
    }
    return total;
  }

  /** Multiply-accumulates of one {@code imageSize} x {@code imageSize} image through {@code name} at 1000 classes. */
  public static long macs(String name, int imageSize) {
    checkImageSize(imageSize);
    return MacCounter.count(create(name, 1000), new Shape(1, 3, imageSize, imageSize));
  }

  /** Parameters and per-image MACs of {@code name} with {@code numClasses} outputs at {@code imageSize}. */
  public static ModelCost cost(String name, int numClasses, int imageSize) {
    checkImageSize(imageSize);
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    Shape input = new Shape(1, 3, imageSize, imageSize);
    Block block = create(name, numClasses);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, input);
      return new ModelCost(name, numClasses, imageSize, countParameters(block), MacCounter.count(block, input));
    }
  }

  private static void checkImageSize(int imageSize) {
    if (imageSize < 1) {
      throw new IllegalArgumentException("image size must be >= 1 pixel, got " + imageSize);
    }
  }

  /** Read-only view, for listing in help texts. */
  public static synchronized Map<String, ModelSpec> all() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(MODELS));
  }
}
