package io.mnpipe.ingest.publish;

import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.ingest.source.SyntheticDataset;
import io.mnpipe.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A publisher in its own JVM, for tests that kill it: args are bootstrap, version, checkpoint interval. */
public final class PublishProcess {
  /** Synthetic images with a zero-byte file every 97th sample, so rejects cross the kill too. */
  static final class WithGaps implements DatasetSource {
    final SyntheticDataset inner = new SyntheticDataset(new SyntheticDataset.Config(4, 150, 2, 2, 3));

    public String name() {
      return "killable";
    }

    public String description() {
      return "killable:" + inner.description();
    }

    public List<String> classNames() {
      return inner.classNames();
    }

    public Iterator<Sample> samples(String split) {
      Iterator<Sample> it = inner.samples(split);
      return new Iterator<>() {
        int i = 0;

        public boolean hasNext() {
          return it.hasNext();
        }

        public Sample next() {
          Sample s = it.next();
          return i++ % 97 == 50 ? new Sample("empty_" + s.key(), s.label(), s.classId(), new byte[0], "gap") : s;
        }
      };
    }

    List<Sample> all(String split) {
      List<Sample> out = new ArrayList<>();
      samples(split).forEachRemaining(out::add);
      return out;
    }
  }

  public static void main(String[] args) {
    var publisher = new DatasetPublisher(new KafkaSettings(args[0]),
        new DatasetPublisher.Config(args[1], 3, 1 << 20, Duration.ofSeconds(1), Integer.parseInt(args[2])));
    var source = new WithGaps();
    publisher.publish(source, "train", publisher.defaultTopic(source, "train"));
  }
}
