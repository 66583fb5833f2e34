#include "db/model_tables.h"

#include <cstring>

namespace cratedig::db {

const char* RunStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kDone:
      return "done";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kStopped:
      return "stopped";
  }
  return "running";
}

namespace {

Result<RunStatus> ParseRunStatus(int64_t id, const std::string& s) {
  for (RunStatus v : {RunStatus::kRunning, RunStatus::kDone, RunStatus::kFailed,
                      RunStatus::kStopped}) {
    if (s == RunStatusName(v)) return v;
  }
  return Status::Corrupt("model run " + std::to_string(id) +
                         ": unknown status '" + s +
                         "' (expected running, done, failed or stopped)");
}

constexpr const char* kRunCols =
    "SELECT id, dataset_hash, network, config, status, checkpoint_path, "
    "metrics, created_at, finished_at FROM model_runs";

Result<ModelRunRecord> ReadRun(const Statement& s) {
  ModelRunRecord r;
  r.id = s.Int(0);
  r.dataset_hash = s.Text(1);
  r.network = s.Text(2);
  r.config = s.Text(3);
  CRATEDIG_ASSIGN_OR_RETURN(r.status, ParseRunStatus(r.id, s.Text(4)));
  r.checkpoint_path = s.OptText(5);
  r.metrics = s.OptText(6);
  r.created_at = s.Int(7);
  r.finished_at = s.OptInt(8);
  return r;
}

EmbeddingRecord ReadEmbedding(const Statement& s) {
  EmbeddingRecord e;
  e.run_id = s.Int(0);
  e.track_id = s.Int(1);
  e.tiles = static_cast<int>(s.Int(2));
  std::vector<uint8_t> blob = s.Blob(3);
  e.vec.resize(blob.size() / sizeof(float));
  // The project only targets little-endian machines (x86_64, arm64).
  std::memcpy(e.vec.data(), blob.data(), e.vec.size() * sizeof(float));
  return e;
}

}  // namespace

Result<int64_t> ModelRunsTable::Create(const ModelRunRecord& r) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO model_runs(dataset_hash, network, config, "
                  "status, checkpoint_path, metrics, created_at, finished_at) "
                  "VALUES(?,?,?,?,?,?,?,?)"));
  s.BindAll(r.dataset_hash, r.network, r.config, RunStatusName(r.status),
            r.checkpoint_path, r.metrics, r.created_at ? r.created_at : NowMs(),
            r.finished_at);
  CRATEDIG_RETURN_IF_ERROR(s.Run());
  return db_.LastInsertId();
}

Status ModelRunsTable::Update(const ModelRunRecord& r) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE model_runs SET status=?, checkpoint_path=?, "
                  "metrics=?, finished_at=? WHERE id=?"));
  s.BindAll(RunStatusName(r.status), r.checkpoint_path, r.metrics,
            r.finished_at, r.id);
  CRATEDIG_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) {
    return Status::NotFound("no model run " + std::to_string(r.id));
  }
  return Status::Ok();
}

Result<std::optional<ModelRunRecord>> ModelRunsTable::Get(int64_t id) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string(kRunCols) + " WHERE id=?"));
  s.Bind(1, id);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ModelRunRecord>();
  CRATEDIG_ASSIGN_OR_RETURN(ModelRunRecord r, ReadRun(s));
  return std::optional<ModelRunRecord>(std::move(r));
}

Result<std::vector<ModelRunRecord>> ModelRunsTable::List() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare(std::string(kRunCols) + " ORDER BY id DESC"));
  std::vector<ModelRunRecord> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CRATEDIG_ASSIGN_OR_RETURN(ModelRunRecord r, ReadRun(s));
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// Whether `r` meets `need`; embeddings are counted only when asked for.
Result<bool> Meets(Database& db, const ModelRunRecord& r, RunNeed need) {
  switch (need) {
    case RunNeed::kDone:
      return r.status == RunStatus::kDone;
    case RunNeed::kUnfinished:
      return r.status != RunStatus::kDone;
    case RunNeed::kEmbedded: {
      EmbeddingsTable emb(db);
      CRATEDIG_ASSIGN_OR_RETURN(int64_t n, emb.CountForRun(r.id));
      return n > 0;
    }
  }
  return false;
}

// What to say when a named run does not meet a need, and when no run does.
struct NeedText {
  const char* unmet;
  const char* none;
};
NeedText TextFor(RunNeed need) {
  switch (need) {
    case RunNeed::kDone:
      return {"has not finished training",
              "no finished model run; run `cratedig train` first"};
    case RunNeed::kUnfinished:
      return {"is already done", "no unfinished model run to resume"};
    case RunNeed::kEmbedded:
      break;
  }
  return {"has no embeddings (run `cratedig embed`)",
          "no model run has embeddings yet (train, then `cratedig embed`)"};
}

}  // namespace

Result<ModelRunRecord> ModelRunsTable::Resolve(std::optional<int64_t> id,
                                               RunNeed need) {
  if (id) {
    CRATEDIG_ASSIGN_OR_RETURN(std::optional<ModelRunRecord> r, Get(*id));
    if (!r) return Status::NotFound("no model run " + std::to_string(*id));
    CRATEDIG_ASSIGN_OR_RETURN(bool ok, Meets(db_, *r, need));
    if (!ok) {
      return Status::InvalidArgument("model run " + std::to_string(*id) + " " +
                                     TextFor(need).unmet);
    }
    return std::move(*r);
  }
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<ModelRunRecord> all, List());
  for (auto& r : all) {
    CRATEDIG_ASSIGN_OR_RETURN(bool ok, Meets(db_, r, need));
    if (ok) return std::move(r);
  }
  return Status::NotFound(TextFor(need).none);
}

Result<TrainedRun> ModelRunsTable::GetTrained(int64_t id) {
  CRATEDIG_ASSIGN_OR_RETURN(std::optional<ModelRunRecord> run, Get(id));
  if (!run) return Status::NotFound("no model run " + std::to_string(id));
  if (!run->checkpoint_path || run->status != RunStatus::kDone) {
    return Status::NotFound("model run " + std::to_string(id) +
                            " has not finished training (status " +
                            RunStatusName(run->status) + ")");
  }
  CRATEDIG_ASSIGN_OR_RETURN(std::optional<DatasetRecord> ds,
                            DatasetsTable(db_).Get(run->dataset_hash));
  if (!ds) {
    return Status::NotFound("model run " + std::to_string(id) +
                            " names dataset " + run->dataset_hash +
                            ", which the database does not hold");
  }
  return TrainedRun{std::move(*run), std::move(*ds)};
}

Status ModelRunsTable::PutEpoch(const EpochRecord& e) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT OR REPLACE INTO run_epochs(run_id, epoch, "
                  "train_loss, train_acc, val_loss, val_acc, tiles_per_s, "
                  "seconds) VALUES(?,?,?,?,?,?,?,?)"));
  s.BindAll(e.run_id, e.epoch, e.train_loss, e.train_acc, e.val_loss, e.val_acc,
            e.tiles_per_s, e.seconds);
  return s.Run();
}

Result<std::vector<EpochRecord>> ModelRunsTable::Epochs(int64_t run_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT run_id, epoch, train_loss, train_acc, val_loss, "
                  "val_acc, tiles_per_s, seconds FROM run_epochs WHERE "
                  "run_id=? ORDER BY epoch"));
  s.Bind(1, run_id);
  std::vector<EpochRecord> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), static_cast<int>(s.Int(1)), s.Double(2),
                   s.Double(3), s.Double(4), s.Double(5), s.Double(6),
                   s.Double(7)});
  }
  return out;
}

Status EmbeddingsTable::Put(const EmbeddingRecord& e) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT OR REPLACE INTO embeddings(run_id, track_id, "
                  "tiles, vec) VALUES(?,?,?,?)"));
  s.BindAll(e.run_id, e.track_id, e.tiles);
  s.BindBlob(4, e.vec.data(), e.vec.size() * sizeof(float));
  return s.Run();
}

Result<std::optional<EmbeddingRecord>> EmbeddingsTable::Get(int64_t run_id,
                                                            int64_t track_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT run_id, track_id, tiles, vec FROM embeddings "
                  "WHERE run_id=? AND track_id=?"));
  s.BindAll(run_id, track_id);
  return s.One(ReadEmbedding);
}

Result<std::vector<EmbeddingRecord>> EmbeddingsTable::ListForRun(
    int64_t run_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT run_id, track_id, tiles, vec FROM embeddings "
                  "WHERE run_id=? ORDER BY track_id"));
  s.Bind(1, run_id);
  return s.All(ReadEmbedding);
}

Result<int64_t> EmbeddingsTable::CountForRun(int64_t run_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT COUNT(*) FROM embeddings WHERE run_id=?"));
  s.Bind(1, run_id);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace cratedig::db
