// Typed access to model runs, their per-epoch metrics, and the per-track
// embeddings a run exports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace cratedig::db {

struct ModelRunRecord {
  int64_t id = 0;  // assigned by Create
  std::string dataset_hash;
  std::string network;             // "seed" | ...
  std::string config;              // canonical TOML
  std::string status = "running";  // running|done|failed|stopped
  std::optional<std::string> checkpoint_path;
  std::optional<std::string> metrics;  // JSON
  int64_t created_at = 0;
  std::optional<int64_t> finished_at;
};

struct EpochRecord {
  int64_t run_id = 0;
  int epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0, val_loss = 0, val_acc = 0;
  double tiles_per_s = 0, seconds = 0;
};

struct EmbeddingRecord {
  int64_t run_id = 0;
  int64_t track_id = 0;
  int tiles = 0;
  std::vector<float> vec;
};

class ModelRunsTable {
 public:
  explicit ModelRunsTable(Database& db) : db_(db) {}
  Result<int64_t> Create(const ModelRunRecord& r);
  Status Update(const ModelRunRecord& r);  // by id
  Result<std::optional<ModelRunRecord>> Get(int64_t id);
  Result<std::vector<ModelRunRecord>> List();  // newest first
  Status PutEpoch(const EpochRecord& e);
  Result<std::vector<EpochRecord>> Epochs(int64_t run_id);

 private:
  Database& db_;
};

class EmbeddingsTable {
 public:
  explicit EmbeddingsTable(Database& db) : db_(db) {}
  Status Put(const EmbeddingRecord& e);
  Result<std::optional<EmbeddingRecord>> Get(int64_t run_id, int64_t track_id);
  Result<std::vector<EmbeddingRecord>> ListForRun(int64_t run_id);
  Result<int64_t> CountForRun(int64_t run_id);

 private:
  Database& db_;
};

}  // namespace cratedig::db
