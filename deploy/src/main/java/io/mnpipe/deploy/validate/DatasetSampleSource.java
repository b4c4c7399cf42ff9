package io.mnpipe.deploy.validate;

import io.mnpipe.ingest.source.DatasetSource;
import io.mnpipe.ingest.source.Sample;
import io.mnpipe.models.input.SampleSource;
import io.mnpipe.models.input.SourcedSample;
import io.mnpipe.preprocess.augment.PresetDecoder;
import io.mnpipe.preprocess.image.RgbImage;
import io.mnpipe.schemas.avro.AugmentedSample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset split on disk in, evaluation samples out, without Kafka: each image is decoded and
 * transformed with the given preset in the loader thread, as the preprocess job would. Inputs the
 * dataset rejects or that cannot be decoded are counted and logged, never scored.
 */
public final class DatasetSampleSource implements SampleSource {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetSampleSource.class);
  private static final int CHUNK = 64;

  private final DatasetSource dataset;
  private final Iterator<Sample> samples;
  private final PresetDecoder decoder;
  private final String split;
  private long index;
  private long undecodable;

  public DatasetSampleSource(DatasetSource dataset, String split, PresetDecoder decoder) {
    this.dataset = dataset;
    this.samples = dataset.samples(split);
    this.decoder = decoder;
    this.split = split;
  }

  @Override
  public List<SourcedSample> poll(Duration timeout) {
    if (!samples.hasNext()) {
      return null;
    }
    List<SourcedSample> out = new ArrayList<>(CHUNK);
    while (out.size() < CHUNK && samples.hasNext()) {
      Sample s = samples.next();
      long at = index++;
      if (s.isRejected()) {
        undecodable++;
        LOG.warn("skipped {} ({}): {}", s.key(), s.source(), s.rejectReason());
        continue;
      }
      try {
        RgbImage img = decoder.decodeAndAugment(s.image(), s.key(), 1);
        out.add(new SourcedSample(AugmentedSample.newBuilder().setKey(s.key()).setLabel(s.label()).setEpoch(1)
            .setHeight(img.height()).setWidth(img.width()).setChannels(3).setPixels(ByteBuffer.wrap(img.heapRgb()))
            .build(), 0, at));
      } catch (Exception e) {
        undecodable++;
        LOG.warn("skipped {} ({}): cannot decode: {}", s.key(), s.source(), e.getMessage());
      }
    }
    return out;
  }

  @Override
  public OptionalLong expectedRecords() {
    return dataset.expectedSize(split);
  }

  @Override
  public long undecodable() {
    return undecodable;
  }

  @Override
  public String name() {
    return dataset.description() + " " + split;
  }

  @Override
  public void close() {
    decoder.close();
  }
}
