package io.mnpipe.ingest.source;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The samples of files read one after another, one sample ahead: {@link #advance} reads on until
 * {@link #pending} holds the next sample (or the rejection of a file that cannot be opened), or
 * says the input has ended.
 */
abstract class LookaheadIterator implements Iterator<Sample>, AutoCloseable {
  /** The next sample once read, null until then. */
  protected Sample pending;

  /** One step of reading: may set {@link #pending}; false once there is nothing left to read. */
  protected abstract boolean advance();

  @Override
  public final boolean hasNext() {
    while (pending == null) {
      if (!advance()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public final Sample next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Sample s = pending;
    pending = null;
    return s;
  }

  @Override
  public abstract void close();
}
