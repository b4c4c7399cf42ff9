package io.mnpipe.models.input;

import io.mnpipe.schemas.avro.AugmentedSample;

/**
 * A sample and where it was read: its partition and offset, from which a run's resume point (the
 * first offset per partition not yet trained) is computed. In-memory sources use partition 0 and
 * the list index.
 *
 * @param sample the decoded record value
 * @param partition partition it came from
 * @param offset its offset in that partition
 */
public record SourcedSample(AugmentedSample sample, int partition, long offset) {}
