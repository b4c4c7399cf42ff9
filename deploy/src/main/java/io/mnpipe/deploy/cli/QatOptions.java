package io.mnpipe.deploy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The quantization-aware training options {@code train} and {@code local} share. Unset ones are
 * null, so that {@code train} keeps its recipe's values and {@code local} its defaults.
 */
public final class QatOptions {
  @Option(names = "--qat", description = {"Quantization-aware training: int8 weights with BatchNorm folded, uint8",
      "activations; start from a float model with --init-checkpoint (default: off, or the recipe's)."})
  Boolean qat;

  @Option(names = "--init-checkpoint", paramLabel = "DIR",
      description = "Start a fresh run from this checkpoint's weights (e.g. the float model QAT fine-tunes).")
  Path initCheckpoint;

  @Option(names = "--freeze-bn-epoch", paramLabel = "N",
      description = "With --qat: freeze BatchNorm statistics from epoch N on; 0 = never (default: 0, or the recipe's).")
  Integer freezeBnEpoch;

  boolean qatOr(boolean otherwise) {
    return qat != null ? qat : otherwise;
  }

  int freezeBnEpochOr(int otherwise) {
    return freezeBnEpoch != null ? freezeBnEpoch : otherwise;
  }
}
