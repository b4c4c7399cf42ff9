package io.mnpipe.ingest.source;

import java.util.Iterator;
import java.util.List;

/** A dataset on some medium in, labelled encoded samples of one split out. */
public interface DatasetSource {
  /** Dataset name, used in topic names and the manifest. */
  String name();

  /** Where it came from, for the manifest (e.g. imagenet:/data/ilsvrc). */
  String description();

  /** Class ids in label order: index i is label i. */
  List<String> classNames();

  /** The samples of one split (train or val), streamed. */
  Iterator<Sample> samples(String split);

  /**
   * The samples of {@code split} from position {@code fromIndex} of {@link #samples}'s order on: a
   * resumed publish starts here. Sources that can skip without reading should override this.
   */
  default Iterator<Sample> samples(String split, long fromIndex) {
    Iterator<Sample> it = samples(split);
    for (long i = 0; i < fromIndex && it.hasNext(); i++) {
      it.next();
    }
    return it;
  }

  /** How many samples {@link #samples} will yield, where known up front (for progress and ETA). */
  default java.util.OptionalLong expectedSize(String split) {
    return java.util.OptionalLong.empty();
  }
}
