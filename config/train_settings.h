// TrainSettings: how `cratedig train` turns stored tiles into a model
// (configs/train.toml).
//
// The defaults reproduce the original work: the `seed` network, RMSprop,
// batch 128, up to 20 epochs, early stopping on validation loss with
// patience 3. The canonical TOML (ToToml()) is stored with every model run,
// so evaluate/embed/Embedder rebuild exactly the network that was trained.
#pragma once

#include <cstdint>
#include <string>

#include "config/toml_reader.h"

namespace cratedig::config {

struct TrainSettings {
  // The CNN library: "libtorch", "tiny-dnn" (our fast layers inside
  // tiny-dnn; the seed network only) or "auto" (libtorch when this build
  // has it, else tiny-dnn). A run stores the backend it resolved to; a
  // stored run without one predates the choice and is libtorch.
  // Default: "auto".
  std::string backend = "auto";
  // "seed": the original network (conv k2 s2 + ELU + max-pool, 64..512
  // filters, dense 128). "bn": 3x3 convolutions with batch norm and global
  // average pooling, same 128-d embedding layer; slower, more accurate.
  // Default: "seed".
  std::string network = "seed";
  // "rmsprop" (the original's; Keras' rho 0.9, eps 1e-7), "adam" or
  // "adamw" (Adam with decoupled weight decay). Default: "rmsprop".
  std::string optimizer = "rmsprop";
  // Decoupled weight decay of "adamw" (ignored by the others, which must
  // leave it 0). Default: 0.
  double weight_decay = 0;
  // Learning-rate schedule over `epochs` x steps per epoch: "constant",
  // "cosine" (5% linear warm-up, then half a cosine down to 0) or
  // "onecycle" (up from lr/25 to lr over the first 30%, then a cosine down
  // to lr/1e4). Default: "constant" (the original's).
  std::string schedule = "constant";
  // Cross-entropy label smoothing in [0, 0.5). Default: 0.
  double label_smoothing = 0;
  // Training-time augmentation (the loader thread applies it, seeded per
  // batch): a random circular time shift of up to `shift_columns`
  // columns; `time_masks` and `freq_masks` SpecAugment stripes of up to
  // `mask_columns` / `mask_rows` set to the tile's mean; mixup of pairs of
  // tiles with a Beta(mixup_alpha, mixup_alpha) weight (0 = off).
  // Defaults: all 0 (off, the original's).
  int shift_columns = 0;
  int time_masks = 0;
  int mask_columns = 0;
  int freq_masks = 0;
  int mask_rows = 0;
  double mixup_alpha = 0;
  // Input normalisation: "none" (pixels / 255, the original's) or
  // "per_frequency" (each spectrogram row minus its mean, over its
  // standard deviation, both measured on the training tiles and stored in
  // the checkpoint). Default: "none".
  std::string normalize = "none";
  // How `embed` turns a track's tile vectors into one: "mean" (the
  // original's) or "l2_mean" (each tile vector scaled to unit length
  // first, so no tile dominates the cosine). Default: "mean".
  std::string aggregate = "mean";
  // Default: 0.001 (Keras' default for both optimizers).
  double learning_rate = 0.001;
  // Tiles per training step. Default: 128.
  int batch_size = 128;
  // Most epochs. Default: 20.
  int epochs = 20;
  // Stop after this many epochs without a lower validation loss; 0 never
  // stops early. Default: 3.
  int patience = 3;
  // Seeds weight init, dropout and the per-epoch shuffle. Default: 1.
  int64_t seed = 1;
  // libtorch intra-op threads. Default: 0, all cores.
  int threads = 0;
  // Bit-identical metrics and embeddings for the same settings, seed and
  // thread count (and libtorch build and CPU): OpenMP's dynamic team sizes
  // off, libtorch's deterministic algorithms on, every random draw from a
  // seed. Results still differ between thread counts (float sums in
  // another order). Default: true.
  bool deterministic = true;
  // Decode every tile of the dataset once into a memory-mapped cache
  // beside the tiles (<tiles_dir>/<hash>.tilecache, checked against the
  // PNGs' SHA-256) and read that instead of the PNGs. Default: true.
  bool tile_cache = true;
  // Decoded batches the loader thread keeps ready ahead of the model.
  // Default: 4.
  int prefetch_batches = 4;
  // Tiles per inference batch (validation, evaluate, embed). Default: 128.
  int eval_batch_size = 128;
  // Dataset version (hash or unique prefix). Default: "", the newest.
  std::string dataset;
  // Where each run keeps its files ("<runs_dir>/run-<id>/"); a relative
  // path is relative to the database's folder, so runs go beside the
  // database whatever the working folder. Default: "runs".
  std::string runs_dir = "runs";

  // runs_dir as an absolute folder, for a database at `db_path`.
  std::string ResolvedRunsDir(const std::string& db_path) const;
  void Read(TomlReader& r);
  void Validate(TomlReader& r);
  // Canonical TOML of every field (stored in model_runs.config).
  std::string ToToml() const;
};

}  // namespace cratedig::config
