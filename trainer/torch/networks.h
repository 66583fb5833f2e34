// The libtorch backend's networks, as libtorch modules. INTERNAL to
// trainer/torch/: this header includes <torch/torch.h> (~30 s of compile per
// file), so only trainer/torch/, its tests and bench/trainer/ include it;
// everything else uses the torch-free trainer/backend.h, model.h, train.h or
// embedder.h.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "trainer/backend.h"

namespace cratedig::trainer {

inline constexpr int kEmbeddingDim = kEmbeddingDimension;

class NetImpl : public torch::nn::Module {
 public:
  // x: n x 1 x height x width. Returns the logits (n x classes) and the
  // embedding: the dense-128 output before its activation (n x 128).
  virtual std::pair<torch::Tensor, torch::Tensor> Forward(
      const torch::Tensor& x) = 0;

  // Per-frequency input normalisation (TrainSettings::normalize): buffers
  // "in_mean" and "in_scale" (1 x 1 x height x 1, saved in checkpoints),
  // identity until SetInputNorm. MakeNet calls it when asked.
  void EnableInputNorm(int height);
  // REQUIRES: EnableInputNorm; `height` values each.
  void SetInputNorm(const std::vector<float>& mean,
                    const std::vector<float>& scale);

 protected:
  // x, normalised when enabled. Every network's Forward starts with it.
  torch::Tensor Prepare(const torch::Tensor& x) const;

 private:
  torch::Tensor in_mean_, in_scale_;
};

// "seed" or "bn" for `classes` outputs on height x width tiles. Weights are
// drawn from torch's default generator (seed it first). InvalidArgument when
// the tile is too small for the network.
// With per_frequency_norm, the net has its input normalisation buffers.
Result<std::shared_ptr<NetImpl>> MakeNet(const std::string& name, int classes,
                                         int height, int width,
                                         bool per_frequency_norm = false);

// Stores 4-d weights channels-last (NHWC), the layout oneDNN's
// convolutions and ATen's vectorised max-pool are fastest in on CPU; the
// maths is unchanged. MakeNet and LoadNetWeights call it.
void ToChannelsLast(NetImpl& net);

// Re-estimates every batch-norm layer's running mean and variance from
// scratch, as the plain average over the batches `next` yields (train-mode
// forward passes, no gradients), for the weights as they are now; restores
// the layers' momentum and the net's train/eval mode. Returns the number of
// batch-norm layers: 0 (the seed network) means nothing was done and
// `next` was not called.
// Why: the default running averages (momentum 0.1) trail the weights by
// ~10 steps, and early in training, or on a small dataset with few steps
// per epoch, they describe weights that no longer exist, so every eval-mode
// output (validation, evaluate, embed) is off. Measured on a 9x12-track
// sample store: train accuracy 0.85 while validation predicted one genre
// for everything (0.111) for four epochs, and early stopping kept epoch 1.
int RecalibrateBatchNorm(
    NetImpl& net, const std::function<std::optional<torch::Tensor>()>& next);

}  // namespace cratedig::trainer
