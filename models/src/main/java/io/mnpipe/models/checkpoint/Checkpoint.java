package io.mnpipe.models.checkpoint;

import java.nio.file.Path;

/** A checkpoint that is durable on disk: its directory and what it holds. */
public record Checkpoint(Path dir, CheckpointMeta meta) {}
