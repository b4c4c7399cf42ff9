package io.mnpipe.models.input;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sample source in, batches out through a bounded prefetch queue: one thread of its own polls the
 * source and assembles batches while the caller's thread trains on the previous ones. The queue
 * bound keeps memory flat when the consumer of batches is slower than Kafka.
 */
public final class BatchLoader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchLoader.class);
  private static final Object END = new Object();
  private static final Duration POLL = Duration.ofMillis(200);

  private final SampleSource source;
  private final BatchAssembler assembler;
  private final int minLastBatch;
  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private final AtomicLong waitNanos = new AtomicLong();
  private final AtomicLong cpuNanos = new AtomicLong(-1);
  private volatile long waitingSince; // while the caller blocks in next(): when it began; else 0
  private volatile boolean closed;
  private volatile Throwable failure;
  private boolean ended;

  /**
   * @param prefetch batches assembled ahead of the caller
   * @param minLastBatch a short final batch with fewer samples is dropped (2 for training, 1 for eval)
   */
  public BatchLoader(SampleSource source, BatchAssembler assembler, int prefetch, int minLastBatch, String name) {
    this.source = source;
    this.assembler = assembler;
    this.minLastBatch = minLastBatch;
    this.queue = new ArrayBlockingQueue<>(prefetch);
    this.thread = new Thread(this::load, name);
    this.thread.setDaemon(true);
  }

  public BatchLoader start() {
    thread.start();
    return this;
  }

  private void load() {
    try {
      while (!closed) {
        List<SourcedSample> got = source.poll(POLL);
        if (got == null) {
          SampleBatch tail = assembler.flush(minLastBatch);
          if (tail != null) {
            put(tail);
          }
          break;
        }
        for (SourcedSample s : got) {
          SampleBatch full = assembler.add(s);
          if (full != null) {
            put(full);
          }
        }
      }
    } catch (InterruptedException e) {
      // closed while the queue was full
    } catch (Throwable t) {
      if (!closed) {
        failure = t;
        LOG.error("batch loader {} failed", thread.getName(), t);
      }
    } finally {
      closeSource();
      cpuNanos.set(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
      if (failure != null) {
        queue.clear(); // batches behind a failure are not wanted; the caller must see END now
        queue.offer(END);
      } else if (!closed) {
        try {
          put(END);
        } catch (InterruptedException e) {
          // closed meanwhile: nobody waits for END
        }
      }
    }
  }

  private void closeSource() {
    try {
      source.close();
    } catch (RuntimeException e) {
      LOG.warn("closing sample source: {}", e.toString());
    }
  }

  private void put(Object item) throws InterruptedException {
    while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
      if (closed) {
        throw new InterruptedException("loader closed");
      }
    }
  }

  /**
   * The next batch, blocking until one is ready; null once the source has ended. Rethrows a failure
   * of the loader thread (e.g. Kafka unreachable) on the caller's thread.
   */
  public SampleBatch next() throws InterruptedException {
    if (ended) {
      return null;
    }
    long t0 = System.nanoTime();
    Object item = queue.poll();
    if (item == null) {
      waitingSince = t0;
      try {
        item = queue.take();
      } finally {
        waitingSince = 0;
      }
    }
    waitNanos.addAndGet(System.nanoTime() - t0);
    if (item == END) {
      ended = true;
      if (failure != null) {
        throw new IllegalStateException("reading samples failed: " + failure.getMessage(), failure);
      }
      return null;
    }
    return (SampleBatch) item;
  }

  /** How long the caller has been blocked in {@link #next()} for want of a batch so far; 0 if it is not. Any thread. */
  public long starvedNanos() {
    long since = waitingSince;
    return since == 0 ? 0 : Math.max(1, System.nanoTime() - since);
  }

  /** Total time callers of {@link #next()} spent waiting for data. */
  public long waitNanos() {
    return waitNanos.get();
  }

  /**
   * CPU time the loader thread has used so far, polling Kafka, decoding records and assembling batches
   * (the consumer's network I/O runs on it too); -1 where the JVM cannot tell.
   */
  public long cpuNanos() {
    long ended = cpuNanos.get();
    if (ended >= 0) {
      return ended;
    }
    long now = thread.isAlive() ? ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId()) : -1;
    return now >= 0 ? now : cpuNanos.get(); // ended meanwhile: it recorded its total on the way out
  }

  public BatchAssembler assembler() {
    return assembler;
  }

  public SampleSource source() {
    return source;
  }

  /**
   * Stops the loader thread and closes the source; batches still queued are discarded and a caller
   * blocked in {@link #next()} gets null, as at the end of the input. Safe from any thread.
   */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.getState() == Thread.State.NEW) {
      closeSource();
    }
    // Wake a caller blocked in next(): after close the input has ended for it.
    queue.clear();
    queue.offer(END);
  }
}
