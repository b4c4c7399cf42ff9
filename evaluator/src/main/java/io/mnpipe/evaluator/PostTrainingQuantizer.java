package io.mnpipe.evaluator;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.BatchLoader;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.input.SampleSource;
import io.mnpipe.models.quant.Quantization;

/**
 * A float checkpoint and calibration samples in, its naive post-training int8 twin out: the same
 * weights in the model's quantized form (BatchNorm folded, int8 per-channel weights), activation
 * ranges set to the min and max seen over a few calibration batches, no training. The baseline QAT
 * is measured against.
 */
public final class PostTrainingQuantizer {
  private PostTrainingQuantizer() {}

  /**
   * Calibrates on up to {@code batches} batches of {@code calibration} (closed after); returns the
   * quantized model in simulated int8 evaluation, its metadata marked quantized. The float model is
   * left as it was.
   */
  public static Checkpoints.Loaded quantize(Checkpoints.Loaded floatModel, SampleSource calibration, int batches,
      int batchSize) {
    CheckpointMeta meta = floatModel.meta();
    if (meta.quantized()) {
      throw new IllegalArgumentException("checkpoint " + meta.id() + " is already a QAT model");
    }
    Block block = MobileNets.create(meta.model(), meta.numClasses(), true);
    Model model = Model.newInstance(meta.model() + "-ptq", floatModel.model().getNDManager().getDevice());
    try {
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, meta.imageSize(), meta.imageSize()));
      Quantization.copyFloatWeights(floatModel.model().getBlock(), block);
      Quantization.configure(block, Quantization.Mode.CALIBRATE);
      BatchAssembler assembler = new BatchAssembler(batchSize, meta.imageSize(), meta.numClasses(), 0);
      int seen = 0;
      try (BatchLoader loader = new BatchLoader(calibration, assembler, 2, 1, "mnpipe-calibration-loader").start()) {
        EvalForward forward = new EvalForward(model);
        for (SampleBatch b = loader.next(); b != null && seen < batches; b = loader.next()) {
          forward.logits(b); // observers record the ranges; the logits are not needed
          seen++;
        }
      }
      int unset = Quantization.unobserved(block);
      if (seen == 0 || unset > 0) {
        throw new IllegalStateException("calibration saw " + seen + " batch(es); " + unset
            + " activation ranges are still unset");
      }
      Quantization.configure(block, Quantization.Mode.INT8_EVAL);
      return new Checkpoints.Loaded(model, new CheckpointMeta(meta.model(), meta.numClasses(), meta.imageSize(),
          meta.runId(), meta.step(), meta.epoch(), meta.trainLoss(), meta.samplesSeen(), meta.isFinal(), meta.time(),
          true, true));
    } catch (InterruptedException e) {
      model.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calibrating " + meta.id(), e);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
