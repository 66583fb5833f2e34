#include "db/dataset_tables.h"

namespace cratedig::db {

Status DatasetsTable::Ensure(const DatasetRecord& d) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT OR IGNORE INTO datasets(hash, settings, tiles_dir, "
                  "created_at) VALUES(?,?,?,?)"));
  s.BindAll(d.hash, d.settings, d.tiles_dir,
            d.created_at ? d.created_at : NowMs());
  return s.Run();
}

Result<std::optional<DatasetRecord>> DatasetsTable::Get(
    const std::string& hash) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("SELECT hash, settings, tiles_dir, "
                               "created_at FROM datasets WHERE hash=?"));
  s.Bind(1, hash);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<DatasetRecord>();
  return std::optional<DatasetRecord>(
      DatasetRecord{s.Text(0), s.Text(1), s.Text(2), s.Int(3)});
}

Result<std::vector<DatasetRecord>> DatasetsTable::List() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT hash, settings, tiles_dir, "
                  "created_at FROM datasets ORDER BY created_at DESC, hash"));
  std::vector<DatasetRecord> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Int(3)});
  }
  return out;
}

Result<DatasetRecord> DatasetsTable::Resolve(
    const std::string& hash_or_prefix) {
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<DatasetRecord> all, List());
  if (all.empty()) {
    return Status::NotFound("no dataset in " + db_.path() +
                            "; run `cratedig dataset build` first");
  }
  if (hash_or_prefix.empty()) return all.front();
  std::vector<DatasetRecord> hits;
  for (auto& d : all) {
    if (d.hash.rfind(hash_or_prefix, 0) == 0) hits.push_back(std::move(d));
  }
  if (hits.empty()) {
    return Status::NotFound("no dataset with hash " + hash_or_prefix);
  }
  if (hits.size() > 1) {
    return Status::InvalidArgument("dataset prefix " + hash_or_prefix +
                                   " is ambiguous");
  }
  return hits.front();
}

Status DatasetsTable::PutTrack(const DatasetTrackRecord& t,
                               const std::vector<TileRecord>& tiles) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT OR REPLACE INTO dataset_tracks(dataset_hash, "
                  "track_id, split, status, reason, tiles, seconds) "
                  "VALUES(?,?,?,?,?,?,?)"));
  s.BindAll(t.dataset_hash, t.track_id, t.split, t.ok ? "ok" : "failed",
            t.reason, t.tiles, t.seconds);
  CRATEDIG_RETURN_IF_ERROR(s.Run());
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement ins,
      db_.Prepare("INSERT OR REPLACE INTO tiles(dataset_hash, track_id, "
                  "tile_index, path, split) VALUES(?,?,?,?,?)"));
  for (const TileRecord& tile : tiles) {
    ins.Reset();
    ins.BindAll(tile.dataset_hash, tile.track_id, tile.tile_index, tile.path,
                tile.split);
    CRATEDIG_RETURN_IF_ERROR(ins.Run());
  }
  return Status::Ok();
}

namespace {
DatasetTrackRecord ReadDatasetTrack(const Statement& s) {
  DatasetTrackRecord t;
  t.dataset_hash = s.Text(0);
  t.track_id = s.Int(1);
  t.split = s.Text(2);
  t.ok = s.Text(3) == "ok";
  t.reason = s.OptText(4);
  t.tiles = static_cast<int>(s.Int(5));
  t.seconds = s.OptDouble(6);
  return t;
}
constexpr const char* kDatasetTrackCols =
    "SELECT dataset_hash, track_id, split, status, reason, tiles, seconds "
    "FROM dataset_tracks WHERE dataset_hash=?";
}  // namespace

Result<std::optional<DatasetTrackRecord>> DatasetsTable::GetTrack(
    const std::string& hash, int64_t track_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(std::string(kDatasetTrackCols) + " AND track_id=?"));
  s.BindAll(hash, track_id);
  return s.One(ReadDatasetTrack);
}

Result<std::vector<DatasetTrackRecord>> DatasetsTable::ListTracks(
    const std::string& hash) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(std::string(kDatasetTrackCols) + " ORDER BY track_id"));
  s.Bind(1, hash);
  return s.All(ReadDatasetTrack);
}

Result<int64_t> DatasetsTable::DeleteFailedTracks(const std::string& hash) {
  int64_t removed = 0;
  Status st = db_.InTransaction([&]() -> Status {
    // Failed tracks have no tiles; the DELETE on tiles is a safety net.
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement t,
        db_.Prepare("DELETE FROM tiles WHERE dataset_hash=?1 AND track_id IN "
                    "(SELECT track_id FROM dataset_tracks WHERE "
                    "dataset_hash=?1 AND status='failed')"));
    t.Bind(1, hash);
    CRATEDIG_RETURN_IF_ERROR(t.Run());
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement s, db_.Prepare("DELETE FROM dataset_tracks WHERE "
                                 "dataset_hash=? AND status='failed'"));
    s.Bind(1, hash);
    CRATEDIG_RETURN_IF_ERROR(s.Run());
    removed = db_.Changes();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return removed;
}

Result<std::vector<DatasetSource>> DatasetsTable::ListSources() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT p.track_id, t.store_id, t.parent_genre, p.path "
                  "FROM previews p JOIN tracks t ON t.id=p.track_id "
                  "WHERE p.status='ok' AND p.path IS NOT NULL "
                  "ORDER BY p.track_id"));
  std::vector<DatasetSource> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.OptText(2), s.Text(3)});
  }
  return out;
}

Result<std::vector<TileRecord>> DatasetsTable::ListTiles(
    const std::string& hash, const std::string& split) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT ti.id, ti.dataset_hash, ti.track_id, ti.tile_index, "
                  "ti.path, ti.split, coalesce(tr.parent_genre,'') FROM tiles "
                  "ti JOIN tracks tr ON tr.id=ti.track_id WHERE "
                  "ti.dataset_hash=?1 AND (?2='' OR ti.split=?2) "
                  "ORDER BY ti.track_id, ti.tile_index"));
  s.BindAll(hash, split);
  std::vector<TileRecord> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    TileRecord t;
    t.id = s.Int(0);
    t.dataset_hash = s.Text(1);
    t.track_id = s.Int(2);
    t.tile_index = static_cast<int>(s.Int(3));
    t.path = s.Text(4);
    t.split = s.Text(5);
    t.parent_genre = s.Text(6);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<SplitGenreCount>> DatasetsTable::CountBySplitAndGenre(
    const std::string& hash) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT dt.split, coalesce(tr.parent_genre,''), COUNT(*), "
                  "SUM(dt.tiles) FROM dataset_tracks dt JOIN tracks tr ON "
                  "tr.id=dt.track_id WHERE dt.dataset_hash=? AND "
                  "dt.status='ok' GROUP BY 1, 2 ORDER BY 1, 2"));
  s.Bind(1, hash);
  std::vector<SplitGenreCount> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Text(0), s.Text(1), s.Int(2), s.Int(3)});
  }
  return out;
}

}  // namespace cratedig::db
