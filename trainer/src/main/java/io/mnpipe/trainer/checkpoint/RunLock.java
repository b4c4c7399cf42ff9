package io.mnpipe.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A run folder in, the exclusive right to write its checkpoints out: an OS lock on
 * {@code <runDir>/.lock}, so two trainers started with the same run id cannot interleave their
 * checkpoints. The OS drops the lock when the process dies, even by kill -9.
 */
public final class RunLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or fails at once, naming the run. */
  public static RunLock acquire(Path runDir) {
    Path file = runDir.resolve(".lock");
    FileChannel ch = null;
    try {
      Files.createDirectories(runDir);
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l = ch.tryLock();
      if (l != null) {
        return new RunLock(ch, l);
      }
    } catch (OverlappingFileLockException e) {
      // held by this very JVM: fall through to the message below
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot lock run folder " + runDir, e);
    }
    closeQuietly(ch);
    throw new IllegalStateException("run " + runDir.getFileName() + " is being trained by another trainer (lock "
        + file + " held); stop that one first or pick another --run-id");
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      if (ch != null) {
        ch.close();
      }
    } catch (IOException e) {
      // nothing left to release
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // the channel close below releases it as well
    }
    closeQuietly(channel);
  }
}
