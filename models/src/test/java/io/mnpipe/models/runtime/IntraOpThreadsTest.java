package io.mnpipe.models.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libtorch's intra-op thread count per thread: an evaluator's limit stays on its own thread, and a
 * trainer thread that pins the engine default keeps it whether it starts before or after the limit.
 */
class IntraOpThreadsTest {
  @BeforeAll
  static void loadEngine() {
    Engine.getInstance(); // loads libtorch; JniUtils alone does not
  }

  private static <T> T onNewThread(Callable<T> task) throws Exception {
    ExecutorService t = Executors.newSingleThreadExecutor();
    try {
      return t.submit(task).get();
    } finally {
      t.shutdownNow();
    }
  }

  @Test
  void aLimitStaysOnItsThreadAndPinnedTrainerThreadsKeepTheEngineDefault() throws Exception {
    int engineDefault = onNewThread(JniUtils::getNumThreads);
    assumeTrue(engineDefault > 1, "libtorch runs one thread here; nothing to tell apart");
    ExecutorService trainerBefore = Executors.newSingleThreadExecutor();
    try {
      trainerBefore.submit(IntraOpThreads::pinEngineDefault).get();

      assertEquals(1, onNewThread(() -> {
        IntraOpThreads.limitCallingThread(1);
        return JniUtils.getNumThreads();
      }));

      Future<Integer> before = trainerBefore.submit(JniUtils::getNumThreads);
      assertEquals(engineDefault, before.get(), "a thread that pinned before the limit keeps its count");
      // libtorch hands the last count set to threads that start later: why trainers pin theirs
      assertEquals(1, onNewThread(JniUtils::getNumThreads));
      assertEquals(engineDefault, onNewThread(() -> {
        IntraOpThreads.pinEngineDefault();
        return JniUtils.getNumThreads();
      }), "a thread that pins after the limit gets the engine default, not the limit");
    } finally {
      trainerBefore.shutdownNow();
      onNewThread(() -> {
        IntraOpThreads.pinEngineDefault(); // later threads of this JVM start from the default again
        return null;
      });
    }
  }

  @Test
  void zeroLeavesTheThreadAlone() throws Exception {
    int engineDefault = onNewThread(JniUtils::getNumThreads);
    assertEquals(engineDefault, onNewThread(() -> {
      IntraOpThreads.limitCallingThread(0);
      return JniUtils.getNumThreads();
    }));
  }
}
