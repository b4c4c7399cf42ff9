package io.mnpipe.models.runtime;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread count in, libtorch's intra-op parallelism for the calling thread out. Why it matters
 * when a trainer and an evaluator share one process on the CPU: libtorch's OpenMP runtime (libgomp)
 * gives every calling thread its own team of worker threads, and once the process holds more of
 * them than there are cores it cuts the spin of every waiting worker to almost nothing for the
 * rest of the run. Measured here at 32x32 on 2 cores: a training step went from 73 ms to 130 ms
 * after the first in-process evaluation. An evaluator limited to one thread builds no team.
 * libtorch keeps the count per thread (OpenMP's nthreads ICV) but also as the default of threads
 * that first use it later, so a trainer pins its own thread to the engine's default. A thread's
 * first parallel op (re)initialises its count from that default, so each setter first makes the
 * calling thread initialise itself, then sets.
 */
public final class IntraOpThreads {
  private static final Logger LOG = LoggerFactory.getLogger(IntraOpThreads.class);
  private static int engineDefault;

  private IntraOpThreads() {}

  /**
   * Sets the intra-op threads of the calling thread (and libtorch's default for threads that first
   * use it later); {@code threads <= 0} leaves the engine's default. No-op on other engines.
   */
  public static void limitCallingThread(int threads) {
    if (threads <= 0 || !pytorch()) {
      return;
    }
    engineDefault();
    JniUtils.getNumThreads(); // initialises this thread, which must come before the set
    JniUtils.setNumThreads(threads);
    LOG.info("libtorch intra-op threads of thread '{}': {}", Thread.currentThread().getName(), threads);
  }

  /** Gives the calling thread the engine's own count, whatever another thread limited itself to. */
  public static void pinEngineDefault() {
    if (pytorch()) {
      int threads = engineDefault();
      JniUtils.getNumThreads(); // initialises this thread, which must come before the set
      JniUtils.setNumThreads(threads);
    }
  }

  /** The count libtorch chose (cores, or ai.djl.pytorch.num_threads), read before any limit. */
  private static synchronized int engineDefault() {
    if (engineDefault == 0) {
      engineDefault = JniUtils.getNumThreads();
    }
    return engineDefault;
  }

  private static boolean pytorch() {
    return "PyTorch".equals(Engine.getInstance().getEngineName());
  }
}
