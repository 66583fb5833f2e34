#include "db/catalogue_tables.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>

namespace cratedig::db {

namespace {

constexpr const char* kTrackCols =
    "id, release_id, store_id, position, artist, title, label, "
    "catalogue_number, release_date, store_genre, parent_genre, bpm, "
    "duration_s, preview_url, missing_fields";

constexpr const char* kReleaseCols =
    "id, store_id, url, artist, title, label, catalogue_number, "
    "release_date, store_genre, parent_genre, missing_fields";

ReleaseRecord ReadRelease(const Statement& s) {
  ReleaseRecord r;
  r.id = s.Int(0);
  r.store_id = s.Text(1);
  r.url = s.Text(2);
  r.artist = s.OptText(3);
  r.title = s.OptText(4);
  r.label = s.OptText(5);
  r.catalogue_number = s.OptText(6);
  r.release_date = s.OptText(7);
  r.store_genre = s.OptText(8);
  r.parent_genre = s.OptText(9);
  r.missing_fields = s.Text(10);
  return r;
}

// Appends ", f=coalesce(a, b)" for each field f of an upsert's SET list:
// coalesce takes its first non-NULL argument, so prefer_new lets the
// incoming row (excluded.f) win where it has a value and keeps the stored
// one otherwise; without it, stored values win and only NULLs are filled.
void AppendCoalesceSets(std::span<const std::string_view> fields,
                        bool prefer_new, std::string& sets) {
  for (std::string_view f : fields) {
    const std::string incoming = std::string("excluded.").append(f);
    const std::string_view first = prefer_new ? std::string_view(incoming) : f;
    const std::string_view second = prefer_new ? f : std::string_view(incoming);
    sets.append(", ").append(f).append("=coalesce(").append(first);
    sets.append(", ").append(second).append(")");
  }
}

TrackRecord ReadTrack(const Statement& s) {
  TrackRecord t;
  t.id = s.Int(0);
  t.release_id = s.Int(1);
  t.store_id = s.Text(2);
  t.position = static_cast<int>(s.Int(3));
  t.artist = s.OptText(4);
  t.title = s.OptText(5);
  t.label = s.OptText(6);
  t.catalogue_number = s.OptText(7);
  t.release_date = s.OptText(8);
  t.store_genre = s.OptText(9);
  t.parent_genre = s.OptText(10);
  t.bpm = s.OptDouble(11);
  t.duration_s = s.OptDouble(12);
  t.preview_url = s.OptText(13);
  t.missing_fields = s.Text(14);
  return t;
}

constexpr const char* kPreviewCols =
    "track_id, url, status, path, sha256, bytes, http_status, error, "
    "attempts, updated_at";

PreviewRecord ReadPreview(const Statement& s) {
  PreviewRecord p;
  p.track_id = s.Int(0);
  p.url = s.Text(1);
  p.status = s.Text(2) == "ok" ? PreviewStatus::kOk : PreviewStatus::kFailed;
  p.path = s.OptText(3);
  p.sha256 = s.OptText(4);
  p.bytes = s.OptInt(5);
  if (auto v = s.OptInt(6)) p.http_status = static_cast<int>(*v);
  p.error = s.OptText(7);
  p.attempts = static_cast<int>(s.Int(8));
  p.updated_at = s.Int(9);
  return p;
}

Result<int64_t> CountRows(Database& db, const char* sql) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

// Looks up the id of a row by its natural key after an upsert (SQLite's
// last_insert_rowid is not set by the UPDATE branch of an upsert).
Result<int64_t> IdByStoreId(Database& db, const char* table,
                            const std::string& store_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare(std::string("SELECT id FROM ") + table + " WHERE store_id=?"));
  s.Bind(1, store_id);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::Internal("upserted row vanished: " + store_id);
  return s.Int(0);
}

}  // namespace

Result<int64_t> ReleasesTable::Upsert(const ReleaseRecord& r) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(
          "INSERT INTO releases(store_id, url, artist, title, label, "
          "catalogue_number, release_date, store_genre, parent_genre, "
          "missing_fields) VALUES(?,?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(store_id) DO UPDATE SET url=excluded.url, "
          "artist=excluded.artist, title=excluded.title, "
          "label=excluded.label, catalogue_number=excluded.catalogue_number, "
          "release_date=excluded.release_date, "
          "store_genre=excluded.store_genre, "
          "parent_genre=excluded.parent_genre, "
          "missing_fields=excluded.missing_fields"));
  s.BindAll(r.store_id, r.url, r.artist, r.title, r.label, r.catalogue_number,
            r.release_date, r.store_genre, r.parent_genre, r.missing_fields);
  CRATEDIG_RETURN_IF_ERROR(s.Run());
  return IdByStoreId(db_, "releases", r.store_id);
}

Result<std::optional<ReleaseRecord>> ReleasesTable::GetByStoreId(
    const std::string& id) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kReleaseCols +
                                        " FROM releases WHERE store_id=?"));
  s.Bind(1, id);
  return s.One(ReadRelease);
}

Result<int64_t> ReleasesTable::Count() {
  return CountRows(db_, "SELECT COUNT(*) FROM releases");
}

Result<int64_t> TracksTable::Upsert(const TrackRecord& t) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(
          "INSERT INTO tracks(release_id, store_id, position, artist, title, "
          "label, catalogue_number, release_date, store_genre, parent_genre, "
          "bpm, duration_s, preview_url, missing_fields) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(store_id) DO UPDATE SET release_id=excluded.release_id,"
          " position=excluded.position, artist=excluded.artist, "
          "title=excluded.title, label=excluded.label, "
          "catalogue_number=excluded.catalogue_number, "
          "release_date=excluded.release_date, "
          "store_genre=excluded.store_genre, "
          "parent_genre=excluded.parent_genre, bpm=excluded.bpm, "
          "duration_s=excluded.duration_s, preview_url=excluded.preview_url, "
          "missing_fields=excluded.missing_fields"));
  s.BindAll(t.release_id, t.store_id, t.position, t.artist, t.title, t.label,
            t.catalogue_number, t.release_date, t.store_genre, t.parent_genre,
            t.bpm, t.duration_s, t.preview_url, t.missing_fields);
  CRATEDIG_RETURN_IF_ERROR(s.Run());
  return IdByStoreId(db_, "tracks", t.store_id);
}

Result<std::optional<TrackRecord>> TracksTable::Get(int64_t id) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kTrackCols +
                                        " FROM tracks WHERE id=?"));
  s.Bind(1, id);
  return s.One(ReadTrack);
}

Result<std::optional<TrackRecord>> TracksTable::GetByStoreId(
    const std::string& id) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kTrackCols +
                                        " FROM tracks WHERE store_id=?"));
  s.Bind(1, id);
  return s.One(ReadTrack);
}

Result<std::vector<TrackRecord>> TracksTable::Find(const TrackQuery& q) {
  // Fixed SQL with optional filters: a NULL parameter disables its clause.
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(std::string("SELECT ") + kTrackCols +
                  " FROM tracks WHERE (?1 IS NULL OR parent_genre=?1) AND "
                  "(?2=0 OR preview_url IS NOT NULL) AND (?3 IS NULL OR "
                  "instr(lower(coalesce(artist,'') || ' ' || "
                  "coalesce(title,'')), lower(?3)) > 0) ORDER BY id LIMIT ?4"));
  s.Bind(1, q.parent_genre);
  s.Bind(2, q.with_preview_url ? 1 : 0);
  s.Bind(3, q.text);
  s.Bind(4, q.limit);
  return s.All(ReadTrack);
}

Result<int64_t> TracksTable::Count() {
  return CountRows(db_, "SELECT COUNT(*) FROM tracks");
}

Result<std::map<std::string, int64_t>> TracksTable::CountByParentGenre() {
  return db_.CountGroups(
      "SELECT coalesce(parent_genre,''), COUNT(*) "
      "FROM tracks GROUP BY 1");
}

Result<std::vector<int64_t>> ReleasesTable::MergeMany(
    const std::vector<ReleaseRecord>& rs, bool prefer_new) {
  static constexpr std::string_view kFields[] = {
      "artist",       "title",       "label",       "catalogue_number",
      "release_date", "store_genre", "parent_genre"};
  std::string sets = "url=excluded.url";
  AppendCoalesceSets(kFields, prefer_new, sets);
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement up,
      db_.Prepare("INSERT INTO releases(store_id, url, artist, title, label, "
                  "catalogue_number, release_date, store_genre, "
                  "parent_genre) VALUES(?,?,?,?,?,?,?,?,?) ON "
                  "CONFLICT(store_id) DO UPDATE SET " +
                  sets + " RETURNING id"));
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement miss,
      db_.Prepare(
          "UPDATE releases SET missing_fields=rtrim("
          "iif(artist IS NULL,'artist,','') || iif(title IS NULL,'title,','')"
          " || iif(label IS NULL,'label,','') || "
          "iif(catalogue_number IS NULL,'catalogue_number,','') || "
          "iif(release_date IS NULL,'release_date,','') || "
          "iif(store_genre IS NULL,'store_genre,',''), ',') WHERE id=?"));
  std::vector<int64_t> ids;
  ids.reserve(rs.size());
  for (const ReleaseRecord& r : rs) {
    up.Reset();
    up.BindAll(r.store_id, r.url, r.artist, r.title, r.label,
               r.catalogue_number, r.release_date, r.store_genre,
               r.parent_genre);
    CRATEDIG_ASSIGN_OR_RETURN(bool row, up.Step());
    if (!row) return Status::Internal("upsert returned no id: " + r.store_id);
    int64_t id = up.Int(0);
    CRATEDIG_RETURN_IF_ERROR(up.Run());  // finish the statement
    miss.Reset();
    miss.Bind(1, id);
    CRATEDIG_RETURN_IF_ERROR(miss.Run());
    ids.push_back(id);
  }
  return ids;
}

Result<std::vector<ReleaseRecord>> ReleasesTable::ListAll() {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kReleaseCols +
                                        " FROM releases ORDER BY store_id"));
  return s.All(ReadRelease);
}

Status TracksTable::MergeMany(const std::vector<TrackRecord>& ts,
                              bool prefer_new) {
  static constexpr std::string_view kFields[] = {"artist", "title", "bpm",
                                                 "duration_s", "preview_url"};
  std::string sets =
      "release_id=excluded.release_id, position=excluded.position";
  AppendCoalesceSets(kFields, prefer_new, sets);
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement up,
      db_.Prepare("INSERT INTO tracks(release_id, store_id, position, artist, "
                  "title, bpm, duration_s, preview_url) "
                  "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(store_id) DO UPDATE "
                  "SET " +
                  sets));
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement sync,
      db_.Prepare(
          "UPDATE tracks SET (label, catalogue_number, release_date, "
          "store_genre, parent_genre) = (SELECT label, catalogue_number, "
          "release_date, store_genre, parent_genre FROM releases r WHERE "
          "r.id=tracks.release_id), missing_fields=rtrim("
          "iif(artist IS NULL,'artist,','') || iif(title IS NULL,'title,','')"
          " || iif(duration_s IS NULL,'duration,','') || "
          "iif(bpm IS NULL,'bpm,',''), ',') WHERE release_id=?"));
  std::vector<int64_t> releases;
  for (const TrackRecord& t : ts) {
    up.Reset();
    up.BindAll(t.release_id, t.store_id, t.position, t.artist, t.title, t.bpm,
               t.duration_s, t.preview_url);
    CRATEDIG_RETURN_IF_ERROR(up.Run());
    if (releases.empty() || releases.back() != t.release_id) {
      releases.push_back(t.release_id);
    }
  }
  std::sort(releases.begin(), releases.end());
  releases.erase(std::unique(releases.begin(), releases.end()), releases.end());
  for (int64_t id : releases) {
    sync.Reset();
    sync.Bind(1, id);
    CRATEDIG_RETURN_IF_ERROR(sync.Run());
  }
  return Status::Ok();
}

Result<std::vector<TrackRecord>> TracksTable::ListAll() {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kTrackCols +
                                        " FROM tracks ORDER BY store_id"));
  return s.All(ReadTrack);
}

Status PreviewsTable::Put(const PreviewRecord& p) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT OR REPLACE INTO previews(track_id, url, status, "
                  "path, sha256, bytes, http_status, error, attempts, "
                  "updated_at) VALUES(?,?,?,?,?,?,?,?,?,?)"));
  s.BindAll(p.track_id, p.url, p.status == PreviewStatus::kOk ? "ok" : "failed",
            p.path, p.sha256, p.bytes, p.http_status, p.error, p.attempts,
            NowMs());
  return s.Run();
}

Result<std::optional<PreviewRecord>> PreviewsTable::Get(int64_t track_id) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kPreviewCols +
                                        " FROM previews WHERE track_id=?"));
  s.Bind(1, track_id);
  return s.One(ReadPreview);
}

Result<std::vector<PreviewRecord>> PreviewsTable::List(
    std::optional<PreviewStatus> st) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare(std::string("SELECT ") + kPreviewCols +
                               " FROM previews WHERE (?1 IS NULL OR status=?1) "
                               "ORDER BY track_id"));
  if (st) {
    s.Bind(1, *st == PreviewStatus::kOk ? "ok" : "failed");
  } else {
    s.BindNull(1);
  }
  return s.All(ReadPreview);
}

Result<std::map<std::string, std::map<std::string, int64_t>>>
PreviewsTable::CountByGenreAndStatus() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT coalesce(t.parent_genre,''), p.status, COUNT(*) "
                  "FROM previews p JOIN tracks t ON t.id=p.track_id "
                  "GROUP BY 1, 2"));
  std::map<std::string, std::map<std::string, int64_t>> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out[s.Text(0)][s.Text(1)] = s.Int(2);
  }
  return out;
}

}  // namespace cratedig::db
