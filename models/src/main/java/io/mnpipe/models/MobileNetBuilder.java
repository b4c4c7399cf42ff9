package io.mnpipe.models;

import ai.djl.nn.Block;

/**
 * What every MobileNet builder takes: the class count (required), the width multiplier, the dropout
 * before the classifier and whether to build the QAT form. {@code B} is the concrete builder, so
 * that the setters chain.
 */
public abstract class MobileNetBuilder<B extends MobileNetBuilder<B>> {
  int numClasses = -1;
  float width = 1.0f;
  float dropout;
  boolean quantized;

  /** @param dropout the family's default (V2 and V3: the papers' 0.2) */
  MobileNetBuilder(float dropout) {
    this.dropout = dropout;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  public B setNumClasses(int numClasses) {
    this.numClasses = numClasses;
    return self();
  }

  public B optWidth(float width) {
    this.width = width;
    return self();
  }

  public B optDropout(float dropout) {
    this.dropout = dropout;
    return self();
  }

  /** Builds the QAT form: folded, fake-quantized convs and uint8 activation quantizers (MobileNetV2-Quant). */
  public B optQuantized(boolean quantized) {
    this.quantized = quantized;
    return self();
  }

  /** The block; refuses settings out of range, naming the family. */
  public final Block build() {
    if (numClasses < 1) {
      throw new IllegalArgumentException(family() + " needs numClasses >= 1, got " + numClasses);
    }
    if (!(width > 0 && width <= 4)) {
      throw new IllegalArgumentException(family() + " width multiplier must be in (0, 4], got " + width);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    return buildChecked();
  }

  /** "MobileNet V2", for messages. */
  abstract String family();

  abstract Block buildChecked();
}
