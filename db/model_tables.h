// Typed access to model runs, their per-epoch metrics, and the per-track
// embeddings a run exports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/dataset_tables.h"

namespace cratedig::db {

// A model run's state. RunStatusName gives the name stored in
// model_runs.status and shown to users ("running", "done", "failed",
// "stopped"); a row with any other name reads as a kCorrupt error.
enum class RunStatus {
  kRunning,  // training, or killed while training (resumable)
  kDone,     // trained; checkpoint_path is set
  kFailed,   // stopped by an error (resumable)
  kStopped,  // cancelled (resumable)
};
const char* RunStatusName(RunStatus s);

struct ModelRunRecord {
  int64_t id = 0;  // assigned by Create
  std::string dataset_hash;
  std::string network;  // "seed" | ...
  std::string config;   // canonical TOML
  RunStatus status = RunStatus::kRunning;
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

// What a command needs of the model run it works on.
enum class RunNeed {
  kDone,        // finished training: evaluate, embed
  kUnfinished,  // running, failed or stopped: train --resume
  kEmbedded,    // has embeddings: recommend, serve, evaluate-recs
};

// A finished run and the dataset version it was trained on.
struct TrainedRun {
  ModelRunRecord run;  // status kDone, checkpoint_path set
  DatasetRecord dataset;
};

class ModelRunsTable {
 public:
  explicit ModelRunsTable(Database& db) : db_(db) {}
  Result<int64_t> Create(const ModelRunRecord& r);
  Status Update(const ModelRunRecord& r);  // by id
  Result<std::optional<ModelRunRecord>> Get(int64_t id);
  Result<std::vector<ModelRunRecord>> List();  // newest first
  // The one way a command picks its run: run `id` when given (NotFound when
  // absent; InvalidArgument when it does not meet `need`), otherwise the
  // newest run that meets `need` (NotFound, with what to run first, when
  // none does).
  Result<ModelRunRecord> Resolve(std::optional<int64_t> id, RunNeed need);
  // What every user of a trained model (evaluate, embed, recommend --file)
  // looks up before loading it. NotFound when run `id` is absent, has not
  // finished training, or names a dataset the database no longer holds.
  Result<TrainedRun> GetTrained(int64_t id);
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
