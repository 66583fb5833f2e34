// Model: a trained network for inference, whichever backend trained it
// (trainer/backend.h), behind a library-free interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig::trainer {

class Net;

class Model {
 public:
  // A network with fresh weights drawn from `seed`. backend: "libtorch" |
  // "tiny-dnn" (InvalidArgument when this build lacks it); network: "seed"
  // | "bn" (tiny-dnn: "seed").
  static Result<std::unique_ptr<Model>> Create(const std::string& backend,
                                               const std::string& network,
                                               int classes, int height,
                                               int width, int64_t seed,
                                               bool per_frequency_norm = false);
  ~Model();

  // Replaces the weights with those of a checkpoint written by Train()
  // with the same backend and network (Corrupt otherwise).
  Status LoadCheckpoint(const std::string& path);

  // Inference (no dropout; batch norm uses its running statistics).
  // x: n x height x width floats in [0, 1]. Fills (when not null) the
  // softmax probabilities (n x classes) and the embeddings (n x 128, the
  // dense-128 output before its activation), row-major.
  Status Forward(const float* x, int n, std::vector<float>* probs,
                 std::vector<float>* embeddings);

  const std::string& backend() const;
  int classes() const;
  int height() const;
  int width() const;
  static int embedding_dim();

 private:
  explicit Model(std::unique_ptr<Net> net);
  std::unique_ptr<Net> net_;
};

}  // namespace cratedig::trainer
