// The seed network as a tiny-dnn network: four ConvPoolEluLayer blocks
// (64/128/256/512 filters), dense 128 (identity: its output is the
// embedding), ELU, dropout 0.5, dense `classes` with softmax.
// INTERNAL to trainer/tinydnn/ (includes tiny-dnn).
#pragma once

#include <tiny_dnn/tiny_dnn.h>

#include "core/status.h"

namespace cratedig::trainer::tdnn {

using Network = tiny_dnn::network<tiny_dnn::sequential>;

// Index of the dense-128 layer (the embedding) in a seed network.
inline constexpr size_t kEmbeddingLayer = 4;

// Builds the network for height x width tiles; `fast`: our fused layers
// (false: tiny-dnn's own convolution, ELU and max-pooling layers, for the
// benchmark's "stock" row and for tests). Weights are drawn from tiny-dnn's
// generator (seed it first). InvalidArgument when the tile is too small.
Status BuildSeedNet(Network& net, int classes, int height, int width,
                    bool fast = true);

}  // namespace cratedig::trainer::tdnn
