package io.mnpipe.evaluator;

import ai.djl.Model;
import io.mnpipe.models.checkpoint.CheckpointMeta;
import io.mnpipe.models.checkpoint.Checkpoints;
import io.mnpipe.models.input.BatchAssembler;
import io.mnpipe.models.input.BatchLoader;
import io.mnpipe.models.input.SampleBatch;
import io.mnpipe.models.input.SampleSource;

/**
 * A loaded checkpoint and a bounded source of validation samples in, its accuracy on all of them
 * out: batched forward passes in eval mode (BatchNorm running statistics, no dropout), batches
 * assembled off this thread; a QAT checkpoint is scored in simulated int8 and, on the same batches,
 * in float. Knows nothing of Kafka.
 */
public final class CheckpointScorer {
  private CheckpointScorer() {}

  /**
   * What scoring found.
   *
   * @param accuracy top-1, top-5 and loss over the samples scored
   * @param skipped samples of the wrong shape or with a label outside the model's classes
   * @param seconds wall time of the pass
   * @param floatAccuracy of a QAT checkpoint (whose {@code accuracy} is simulated int8): the same
   *     weights in float; null for a float checkpoint
   */
  public record Score(TopKAccuracy accuracy, long skipped, double seconds, TopKAccuracy floatAccuracy) {
    /** "int8" for a QAT checkpoint's score, else "float32": the precision label of {@code accuracy}. */
    public String precision() {
      return floatAccuracy == null ? "float32" : "int8";
    }
  }

  /** Scores {@code ckpt} on every sample {@code val} delivers; closes {@code val}. */
  public static Score score(Checkpoints.Loaded ckpt, SampleSource val, int batchSize, int prefetch) {
    CheckpointMeta meta = ckpt.meta();
    long t0 = System.nanoTime();
    BatchAssembler assembler = new BatchAssembler(batchSize, meta.imageSize(), meta.numClasses(), 0);
    TopKAccuracy acc = new TopKAccuracy();
    TopKAccuracy floatAcc = meta.quantized() ? new TopKAccuracy() : null;
    Model model = ckpt.model();
    try (BatchLoader loader = new BatchLoader(val, assembler, prefetch, 1, "mnpipe-eval-loader").start()) {
      EvalForward forward = new EvalForward(model);
      for (SampleBatch b = loader.next(); b != null; b = loader.next()) {
        if (floatAcc == null) {
          acc.add(forward.logits(b), meta.numClasses(), b.labels(), b.size());
        } else {
          float[][] qf = forward.int8AndFloatLogits(b);
          acc.add(qf[0], meta.numClasses(), b.labels(), b.size());
          floatAcc.add(qf[1], meta.numClasses(), b.labels(), b.size());
        }
      }
      return new Score(acc, assembler.skipped() + val.undecodable(), (System.nanoTime() - t0) / 1e9, floatAcc);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring " + meta.id(), e);
    }
  }
}
