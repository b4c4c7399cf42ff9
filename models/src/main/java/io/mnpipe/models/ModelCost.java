package io.mnpipe.models;

/**
 * What one model costs: trainable parameters and multiply-accumulates per image.
 *
 * @param name canonical model name
 * @param numClasses classifier width the counts are for
 * @param imageSize square input side the MACs are for
 * @param params trainable parameters (BN running statistics excluded, as torchvision counts)
 * @param macs multiply-accumulates of one image's forward pass, convs and linears only (see {@link MacCounter})
 */
public record ModelCost(String name, int numClasses, int imageSize, long params, long macs) {}
