package io.mnpipe.schemas;

import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * End of an epoch, written into a samples topic by each of a preprocess job's {@code writers}
 * subtasks into every partition once it has written all its samples of {@code epoch}. A consumer
 * knows a partition holds the whole epoch once it has read the markers of all writers there, so
 * epoch boundaries and the end of the last epoch are found in the stream itself, whatever the
 * timing of the job's commits.
 *
 * <p>On Kafka: a record with no value (a tombstone, so no AugmentedSample reader mistakes it for a
 * sample), key {@code epoch-end/<epoch>/<writer>}, and the header {@value #HEADER} =
 * {@code <epoch>/<writer>/<writers>}. Inside the job it travels as an AugmentedSample whose key
 * starts with {@value #IN_JOB}, naming the partition it is for.
 */
public record EpochEnd(int epoch, int writer, int writers) {
  public static final String HEADER = "mnpipe-epoch-end";
  /** Key prefix of a marker inside the job (not a dataset key: it starts with a NUL). */
  static final String IN_JOB = "\u0000epoch-end/";

  public EpochEnd {
    if (epoch < 1 || writers < 1 || writer < 0 || writer >= writers) {
      throw new IllegalArgumentException("bad epoch end: epoch " + epoch + ", writer " + writer + " of " + writers);
    }
  }

  /** The header value. */
  public byte[] header() {
    return (epoch + "/" + writer + "/" + writers).getBytes(StandardCharsets.UTF_8);
  }

  /** The Kafka key. */
  public String kafkaKey() {
    return "epoch-end/" + epoch + "/" + writer;
  }

  /** The marker of a consumed record's headers, or null for a sample (or a header that does not parse). */
  public static EpochEnd of(Headers headers) {
    Header h = headers == null ? null : headers.lastHeader(HEADER);
    if (h == null || h.value() == null) {
      return null;
    }
    String[] f = new String(h.value(), StandardCharsets.UTF_8).split("/");
    try {
      return f.length == 3 ? new EpochEnd(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]))
          : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** This marker as the job carries it to the sink, bound for {@code partition}. */
  public AugmentedSample inJob(int partition) {
    return AugmentedSample.newBuilder().setKey(IN_JOB + epoch + "/" + writer + "/" + writers + "/" + partition)
        .setLabel(-1).setEpoch(epoch).setHeight(0).setWidth(0).setChannels(0).setPixels(ByteBuffer.allocate(0))
        .build();
  }

  /** The marker an in-job sample stands for, or null for a real sample. */
  public static EpochEnd inJob(AugmentedSample s) {
    String k = s.getKey().toString();
    if (!k.startsWith(IN_JOB)) {
      return null;
    }
    String[] f = k.substring(IN_JOB.length()).split("/");
    return new EpochEnd(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
  }

  /** The partition an in-job marker is bound for. */
  public static int partitionInJob(AugmentedSample s) {
    String k = s.getKey().toString();
    return Integer.parseInt(k.substring(k.lastIndexOf('/') + 1));
  }
}
