package io.mnpipe.evaluator;

import ai.djl.Model;
import io.mnpipe.trainer.checkpoint.CheckpointMeta;
import io.mnpipe.trainer.checkpoint.Checkpoints;
import io.mnpipe.trainer.data.BatchAssembler;
import io.mnpipe.trainer.data.BatchLoader;
import io.mnpipe.trainer.data.SampleBatch;
import io.mnpipe.trainer.data.SampleSource;

/**
 * A loaded checkpoint and a bounded source of validation samples in, its accuracy on all of them
 * out: batched forward passes in eval mode (BatchNorm running statistics, no dropout), batches
 * assembled off this thread. Knows nothing of Kafka.
 */
public final class CheckpointScorer {
  private CheckpointScorer() {}

  /**
   * What scoring found.
   *
   * @param accuracy top-1, top-5 and loss over the samples scored
   * @param skipped samples of the wrong shape or with a label outside the model's classes
   * @param seconds wall time of the pass
   */
  public record Score(TopKAccuracy accuracy, long skipped, double seconds) {}

  /** Scores {@code ckpt} on every sample {@code val} delivers; closes {@code val}. */
  public static Score score(Checkpoints.Loaded ckpt, SampleSource val, int batchSize, int prefetch) {
    CheckpointMeta meta = ckpt.meta();
    long t0 = System.nanoTime();
    BatchAssembler assembler = new BatchAssembler(batchSize, meta.imageSize(), meta.numClasses(), 0);
    TopKAccuracy acc = new TopKAccuracy();
    Model model = ckpt.model();
    try (BatchLoader loader = new BatchLoader(val, assembler, prefetch, 1, "mnpipe-eval-loader").start()) {
      EvalForward forward = new EvalForward(model);
      for (SampleBatch b = loader.next(); b != null; b = loader.next()) {
        acc.add(forward.logits(b), meta.numClasses(), b.labels(), b.size());
      }
      return new Score(acc, assembler.skipped() + val.undecodable(), (System.nanoTime() - t0) / 1e9);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring " + meta.id(), e);
    }
  }
}
