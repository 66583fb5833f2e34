// Backend: the one interface between the trainer's generic driver (epochs,
// early stopping, run records, checkpoint bookkeeping, resume; train.cc)
// and a CNN library. Two implementations: trainer/torch/ (libtorch; only in
// builds with CRATEDIG_WITH_LIBTORCH, as a plugin loaded on first use:
// trainer/torch_plugin.h) and trainer/tinydnn/ (tiny-dnn with our own
// layers; always built). No torch or tiny-dnn type crosses this
// header, so it costs nothing to include.
//
// Contracts every backend keeps:
// - Images are n x height x width floats in [0, 1], row-major, one channel.
// - Labels are class indexes in [0, classes).
// - Probabilities are the softmax outputs (n x classes), embeddings the
//   dense-128 layer's output before its activation (n x 128), row-major.
// - Every member returns a Status instead of throwing: the library's own
//   exceptions (out of memory, a malformed archive) are caught inside.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig::trainer {

// Width of the embedding layer every network has.
inline constexpr int kEmbeddingDimension = 128;

// Names as they appear in configs and in a run's stored settings.
inline constexpr const char* kLibtorch = "libtorch";
inline constexpr const char* kTinyDnn = "tiny-dnn";

struct NetSpec {
  std::string backend;  // kLibtorch | kTinyDnn
  std::string network;  // "seed" | "bn" (tiny-dnn: "seed" only)
  int classes = 9;
  int height = 256, width = 256;
  int64_t seed = 1;  // weight init, dropout
  // The input normalisation buffers (TrainSettings::normalize =
  // "per_frequency"; libtorch only). Part of the network: a net made for
  // inference needs it too.
  bool per_frequency_norm = false;
  // Training only (a net made for inference ignores them). libtorch has
  // them all; tiny-dnn refuses (CreateNet) adamw, label smoothing and
  // mixup rather than ignore them.
  std::string optimizer = "rmsprop";  // "rmsprop" | "adam" | "adamw"
  double learning_rate = 0.001;
  double weight_decay = 0;     // adamw
  double label_smoothing = 0;  // of the cross-entropy
  bool mixup = false;          // batches may carry BatchView::mix_partner
};

// What a checkpoint holds besides the network and its optimizer.
struct LoopState {
  int64_t epoch = 0;  // epochs completed
  double best_val_loss = std::numeric_limits<double>::infinity();
  double best_val_acc = 0;
  int64_t best_epoch = 0;
  int64_t bad_epochs = 0;  // epochs since the best
};

// One batch seen through the interface: borrowed pointers.
struct BatchView {
  const float* x = nullptr;         // n x height x width
  const int64_t* labels = nullptr;  // n (training only)
  int n = 0;
  // Mixup (training only; trainer/augment.h): image i is mix_lambda x its
  // own + (1 - mix_lambda) x image mix_partner[i]'s, and the loss mixes
  // the labels alike. nullptr: not mixed.
  const int64_t* mix_partner = nullptr;
  float mix_lambda = 1;
};

// Sums over one training batch (the driver divides by the tile count).
struct StepStats {
  double loss_sum = 0;  // cross-entropy summed over the batch
  int64_t correct = 0;  // argmax == label
};

class Net {
 public:
  virtual ~Net() = default;

  virtual const NetSpec& spec() const = 0;

  // One optimizer step on one batch (train mode: dropout on). The loss is
  // the one the step was computed from (before the update); a non-finite
  // loss is returned as such, the driver decides what it means.
  virtual Result<StepStats> TrainStep(const BatchView& batch) = 0;

  // The learning rate of the following steps (schedules call it before
  // every step).
  virtual Status SetLearningRate(double lr) = 0;

  // REQUIRES spec().per_frequency_norm: the per-row input mean and scale
  // (1 / standard deviation), `height` values each, kept in checkpoints.
  virtual Status SetInputNorm(const std::vector<float>& mean,
                              const std::vector<float>& scale) = 0;

  // Inference (no dropout; normalization uses its running statistics).
  // Either output may be null; both are cleared first, and an empty batch
  // leaves them empty. The backend's work is ForwardBatch.
  Status Forward(const BatchView& batch, std::vector<float>* probs,
                 std::vector<float>* embeddings) {
    if (probs) probs->clear();
    if (embeddings) embeddings->clear();
    if (batch.n <= 0) return Status::Ok();
    return ForwardBatch(batch, probs, embeddings);
  }

  // Forward for a non-empty batch, into empty outputs (either may be null).
  // Catches its library's exceptions. Called only by Forward.
  virtual Status ForwardBatch(const BatchView& batch, std::vector<float>* probs,
                              std::vector<float>* embeddings) = 0;

  // Called after each training epoch with a source of training batches
  // (nullopt: no more). Networks with batch norm re-estimate its statistics
  // for the weights as they now are; the others return at once without
  // pulling a batch. See trainer/torch/networks.h, RecalibrateBatchNorm.
  virtual Status AfterEpoch(
      const std::function<std::optional<BatchView>()>& next) = 0;

  // Checkpoints: the network, the optimizer, `state` and whatever the
  // backend needs to continue bit for bit (RNG), written atomically.
  virtual Status SaveCheckpoint(const std::string& path,
                                const LoopState& state) = 0;
  // Restores a checkpoint written by SaveCheckpoint of the same backend and
  // network. state == nullptr: the weights only (inference). Corrupt, with
  // the path, for a damaged file or one of another backend or network.
  virtual Status LoadCheckpoint(const std::string& path, LoopState* state) = 0;
};

// The file name suffix of a backend's checkpoints: ".pt" (libtorch) or
// ".tdnn" (tiny-dnn), so a folder shows which kind it holds.
std::string CheckpointSuffix(const std::string& backend);

// Backends this build has, in order of preference ("libtorch" first when
// built with it).
std::vector<std::string> AvailableBackends();

// "auto" -> the first available backend; a known backend this build lacks
// -> InvalidArgument saying how to get it; anything else -> InvalidArgument.
// Resolving libtorch loads its plugin (once per process), so a missing or
// broken plugin is that error (NotFound / IoError, naming the path); "auto"
// does not fall back to tiny-dnn then.
Result<std::string> ResolveBackend(const std::string& name);

// A network with fresh weights drawn from spec.seed (and the backend's
// global generator seeded with it). InvalidArgument for an unknown or
// unavailable backend or network, or a tile too small for the network.
Result<std::unique_ptr<Net>> CreateNet(const NetSpec& spec);

// Sets each available backend's thread count (0: all cores). Returns the
// count in use. Does not load the libtorch plugin: applied when it loads.
int SetBackendThreads(int threads);

// TrainSettings::deterministic for each available backend: libtorch turns
// OpenMP's dynamic team sizes off (a team that shrinks under load sums in
// another order) and its deterministic algorithms on; `false` allows both.
void SetBackendDeterministic(bool on);

}  // namespace cratedig::trainer
