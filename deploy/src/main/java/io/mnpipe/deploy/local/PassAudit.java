package io.mnpipe.deploy.local;

import io.mnpipe.kafka.BoundedReader;
import io.mnpipe.kafka.KafkaSettings;
import io.mnpipe.schemas.Topic;
import io.mnpipe.schemas.avro.AugmentedSample;
import io.mnpipe.schemas.avro.DeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A finished preprocess pass's topics in (raw, samples, dead letters), what read_committed readers
 * find there out: samples per epoch, dead letters, and every raw key that is in an epoch neither as
 * a sample nor as a dead letter, or there twice. The counts survive restarts, which the job's
 * accumulators do not (a restored subtask counts again from its checkpoint).
 *
 * @param ingested raw records
 * @param samplesPerEpoch distinct sample keys per epoch
 * @param deadLetters dead-letter records (each broken image once per epoch)
 * @param missing "epoch/key" of raw keys with neither a sample nor a dead letter
 * @param duplicated "epoch/key" of samples found more than once
 */
public record PassAudit(long ingested, Map<Integer, Long> samplesPerEpoch, long deadLetters, List<String> missing,
    List<String> duplicated) {
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

  /** True when every epoch has every raw key exactly once, as a sample or a dead letter. */
  public boolean exact() {
    return missing.isEmpty() && duplicated.isEmpty();
  }

  /** Samples of epoch 1, the count the summary shows as "decoded". */
  public long decodedPerEpoch() {
    return samplesPerEpoch.getOrDefault(1, 0L);
  }

  /** Dead letters of one epoch's pass. */
  public long deadLetteredPerEpoch() {
    return samplesPerEpoch.isEmpty() ? deadLetters : deadLetters / samplesPerEpoch.size();
  }

  /** "ingested N != decoded + dead-lettered ...: missing [..], duplicated [..]" for an error, first 10 keys each. */
  public String mismatch(String pass) {
    return String.format("%s: %d ingested, per epoch %s decoded and %d dead letters in all; %d (epoch/key) missing %s,"
        + " %d duplicated %s", pass, ingested, samplesPerEpoch, deadLetters, missing.size(), head(missing),
        duplicated.size(), head(duplicated));
  }

  /** Reads the three topics to their ends; {@code epochs} is the number of epochs the pass replayed. */
  public static PassAudit of(KafkaSettings kafka, String rawTopic, Topic<String, AugmentedSample> samples,
      Topic<String, DeadLetter> deadLetters, int epochs) {
    return of(kafka, rawTopic, samples, deadLetters, epochs, null);
  }

  /**
   * As above, for a samples topic whose trained records were deleted as the run went (bounded
   * disk): the samples are the trainer's trained keys ({@code trained-keys.log}, step, epoch and key
   * per line) together with what the topic still holds. A key trained twice in an epoch is a duplicate.
   */
  public static PassAudit of(KafkaSettings kafka, String rawTopic, Topic<String, AugmentedSample> samples,
      Topic<String, DeadLetter> deadLetters, int epochs, Path trainedKeys) {
    Set<String> raw = new HashSet<>();
    BoundedReader.read(kafka, rawTopic, null, new StringDeserializer(), skip(), r -> raw.add(r.key()), READ_TIMEOUT);
    Map<Integer, Set<String>> byEpoch = new TreeMap<>();
    List<String> duplicated = new ArrayList<>();
    BoundedReader.read(kafka, samples.name(), null, samples.keySerde().deserializer(),
        samples.valueSerde().deserializer(), r -> {
          int e = r.value().getEpoch();
          if (!byEpoch.computeIfAbsent(e, x -> new HashSet<>()).add(r.key())) {
            duplicated.add(e + "/" + r.key());
          }
        }, READ_TIMEOUT);
    if (trainedKeys != null) {
      Map<Integer, Set<String>> trained = new HashMap<>();
      try (var lines = Files.lines(trainedKeys)) {
        lines.filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(l -> {
          String[] f = l.split("\t", 3);
          if (f.length == 3) {
            int e = Integer.parseInt(f[1]);
            if (!trained.computeIfAbsent(e, x -> new HashSet<>()).add(f[2])) {
              duplicated.add(e + "/" + f[2] + " (trained twice)");
            }
            byEpoch.computeIfAbsent(e, x -> new HashSet<>()).add(f[2]);
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the trained keys " + trainedKeys, e);
      }
    }
    Map<String, Integer> dead = new HashMap<>();
    BoundedReader.read(kafka, deadLetters.name(), null, new StringDeserializer(), skip(),
        r -> dead.merge(r.key(), 1, Integer::sum), READ_TIMEOUT);
    List<String> missing = new ArrayList<>();
    Map<Integer, Long> counts = new TreeMap<>();
    for (int e = 1; e <= epochs; e++) {
      Set<String> got = byEpoch.getOrDefault(e, Set.of());
      counts.put(e, (long) got.size());
      for (String k : raw) {
        if (!got.contains(k) && !dead.containsKey(k)) {
          missing.add(e + "/" + k);
        }
      }
    }
    // A broken image is dead-lettered once in every epoch it was not decoded in.
    dead.forEach((k, n) -> {
      long expected = 0;
      for (int e = 1; e <= epochs; e++) {
        expected += byEpoch.getOrDefault(e, Set.of()).contains(k) ? 0 : 1;
      }
      if (n > expected) {
        duplicated.add("dlq/" + k);
      } else if (n < expected) {
        missing.add("dlq/" + k);
      }
    });
    missing.sort(null);
    duplicated.sort(null);
    return new PassAudit(raw.size(), counts, dead.values().stream().mapToLong(Integer::longValue).sum(),
        List.copyOf(missing), List.copyOf(duplicated));
  }

  private static Deserializer<Void> skip() {
    return (topic, data) -> null;
  }

  private static String head(List<String> keys) {
    return keys.size() <= 10 ? keys.toString() : keys.subList(0, 10) + "...";
  }
}
