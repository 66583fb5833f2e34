#include "db/migrations.h"

#include <string>

#include "db/database.h"

namespace cratedig::db {

namespace {

// v1: the crawl. Times are Unix milliseconds.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE hosts (
  origin        TEXT PRIMARY KEY,      -- scheme://host[:port]
  robots_status INTEGER NOT NULL,      -- HTTP status of /robots.txt (0: network error)
  robots_txt    TEXT,                  -- body; NULL when not 2xx
  fetched_at    INTEGER NOT NULL
);
CREATE TABLE frontier (
  id              INTEGER PRIMARY KEY,
  url             TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL,       -- 'listing' | 'product'
  context         TEXT NOT NULL DEFAULT '',  -- e.g. the genre slug it came from
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending','done','failed','forbidden')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  http_status     INTEGER,
  last_error      TEXT,
  added_at        INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE INDEX frontier_ready ON frontier(status, next_attempt_at);
CREATE TABLE releases (
  id               INTEGER PRIMARY KEY,
  store_id         TEXT NOT NULL UNIQUE, -- the store's "<titleId>-<productId>"
  url              TEXT NOT NULL,
  artist           TEXT,
  title            TEXT,
  label            TEXT,
  catalogue_number TEXT,
  release_date     TEXT,                 -- ISO 8601 yyyy-mm-dd
  store_genre      TEXT,
  parent_genre     TEXT,                 -- NULL: not one of the 9
  missing_fields   TEXT NOT NULL DEFAULT ''  -- comma-separated names
);
CREATE TABLE tracks (
  id               INTEGER PRIMARY KEY,
  release_id       INTEGER NOT NULL REFERENCES releases(id),
  store_id         TEXT NOT NULL UNIQUE, -- "<titleId>-<productId>-01-<NN>"
  position         INTEGER NOT NULL,     -- 1-based on the release
  artist           TEXT,
  title            TEXT,
  label            TEXT,
  catalogue_number TEXT,
  release_date     TEXT,
  store_genre      TEXT,
  parent_genre     TEXT,
  bpm              REAL,
  duration_s       REAL,
  preview_url      TEXT,
  missing_fields   TEXT NOT NULL DEFAULT '',
  UNIQUE (release_id, position)
);
CREATE INDEX tracks_parent_genre ON tracks(parent_genre);
CREATE TABLE previews (
  track_id    INTEGER PRIMARY KEY REFERENCES tracks(id),
  url         TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('ok','failed')),
  path        TEXT,                    -- absolute path of the downloaded file
  sha256      TEXT,
  bytes       INTEGER,
  http_status INTEGER,
  error       TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  updated_at  INTEGER NOT NULL
);
)sql";

// v2: the dataset of spectrogram tiles. A dataset is identified by the hash
// of its settings, so a settings change makes a new one beside the old.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE datasets (
  hash       TEXT PRIMARY KEY,
  settings   TEXT NOT NULL,            -- canonical TOML of the settings
  tiles_dir  TEXT NOT NULL,            -- absolute; tiles.path is relative to it
  created_at INTEGER NOT NULL
);
CREATE TABLE dataset_tracks (
  dataset_hash TEXT NOT NULL REFERENCES datasets(hash),
  track_id     INTEGER NOT NULL REFERENCES tracks(id),
  split        TEXT NOT NULL CHECK (split IN ('train','val','holdout')),
  status       TEXT NOT NULL CHECK (status IN ('ok','failed')),
  reason       TEXT,                   -- why it failed
  tiles        INTEGER NOT NULL DEFAULT 0,
  seconds      REAL,                   -- decoded audio length
  PRIMARY KEY (dataset_hash, track_id)
);
CREATE TABLE tiles (
  id           INTEGER PRIMARY KEY,
  dataset_hash TEXT NOT NULL REFERENCES datasets(hash),
  track_id     INTEGER NOT NULL REFERENCES tracks(id),
  tile_index   INTEGER NOT NULL,
  path         TEXT NOT NULL,          -- relative to the tiles folder
  split        TEXT NOT NULL CHECK (split IN ('train','val','holdout')),
  UNIQUE (dataset_hash, track_id, tile_index)
);
CREATE INDEX tiles_split ON tiles(dataset_hash, split);
)sql";

// v3: models and what they produce.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE model_runs (
  id              INTEGER PRIMARY KEY,
  dataset_hash    TEXT NOT NULL REFERENCES datasets(hash),
  network         TEXT NOT NULL,
  config          TEXT NOT NULL,       -- canonical TOML of the settings
  status          TEXT NOT NULL CHECK (status IN ('running','done','failed','stopped')),
  checkpoint_path TEXT,
  metrics         TEXT,                -- JSON: evaluation results
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE TABLE run_epochs (
  run_id      INTEGER NOT NULL REFERENCES model_runs(id),
  epoch       INTEGER NOT NULL,
  train_loss  REAL, train_acc REAL,
  val_loss    REAL, val_acc   REAL,
  tiles_per_s REAL, seconds   REAL,
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE embeddings (
  run_id   INTEGER NOT NULL REFERENCES model_runs(id),
  track_id INTEGER NOT NULL REFERENCES tracks(id),
  tiles    INTEGER NOT NULL,           -- how many tile vectors were averaged
  vec      BLOB NOT NULL,              -- float32, little-endian
  PRIMARY KEY (run_id, track_id)
);
)sql";

// v4: why a frontier entry last failed, as a reason token (see
// crawler/failure.h: "network", "truncated", "http_5xx", "http_429",
// "http_4xx", ...), so a later crawl can retry the transient ones and
// `status` can count failures by reason. NULL: never failed, or done.
constexpr std::string_view kV4 = R"sql(
ALTER TABLE frontier ADD COLUMN failure TEXT;
)sql";

// v5: incremental crawling: HTTP validators per URL, listing refreshes.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE http_validators (
  url           TEXT PRIMARY KEY,
  etag          TEXT,                  -- ETag of the last 2xx, as sent
  last_modified TEXT,                  -- Last-Modified of the last 2xx
  fetched_at    INTEGER NOT NULL
);
CREATE TABLE listing_refreshes (
  slug         TEXT PRIMARY KEY,       -- the listing's slug
  refreshed_at INTEGER NOT NULL,       -- when its last walk from page 1 ended
  pages        INTEGER NOT NULL,       -- listing pages that walk requested
  new_releases INTEGER NOT NULL        -- releases it found that were new
);
)sql";

// v6: the listings each release was listed under (one release, several
// store genres), and what each fetched page's parse yielded per field (the
// field-completeness report: a selector that stops matching shows as a
// drop in the newest pages).
constexpr std::string_view kV6 = R"sql(
CREATE TABLE release_listings (
  release_id   INTEGER NOT NULL REFERENCES releases(id),
  listing      TEXT NOT NULL,         -- the listing's slug ('indie')
  rank         INTEGER NOT NULL,      -- its place among the profile's listings, 0 first
  store_genre  TEXT,                  -- the genre text the item showed there
  parent_genre TEXT,                  -- the parent genre it got there; NULL: unmapped
  page_id      INTEGER REFERENCES frontier(id),  -- the listing page it was last seen on
  seen_at      INTEGER NOT NULL,
  PRIMARY KEY (release_id, listing)
);
CREATE INDEX release_listings_by_listing ON release_listings(listing);
CREATE TABLE page_fields (
  page_id INTEGER NOT NULL REFERENCES frontier(id),
  record  TEXT NOT NULL CHECK (record IN ('release','track')),
  field   TEXT NOT NULL,              -- the export's column name ('bpm')
  present INTEGER NOT NULL,           -- records of the page that had it
  total   INTEGER NOT NULL,           -- records of the page
  PRIMARY KEY (page_id, record, field)
);
-- A release crawled before v6 was listed under the listing whose page
-- first linked its product page (the product's frontier context).
INSERT OR IGNORE INTO release_listings
  (release_id, listing, rank, store_genre, parent_genre, page_id, seen_at)
SELECT r.id, f.context, 0, r.store_genre, r.parent_genre, NULL,
       COALESCE(f.finished_at, f.added_at)
FROM releases r JOIN frontier f ON f.url = r.url AND f.kind = 'product'
WHERE f.context <> '';
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {
      {1, kV1}, {2, kV2}, {3, kV3}, {4, kV4}, {5, kV5}, {6, kV6},
  };
  return kAll;
}

int LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(Database& db, int target) {
  const int latest = LatestSchemaVersion();
  if (target < 0) target = latest;
  int current = db.UserVersion();
  if (current < 0) return Status::Corrupt("cannot read PRAGMA user_version");
  if (current > latest) {
    return Status::InvalidArgument(
        "schema version " + std::to_string(current) +
        " is newer than this cratedig understands (" + std::to_string(latest) +
        "); upgrade cratedig");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current || m.version > target) continue;
    Status st = db.InTransaction([&]() -> Status {
      CRATEDIG_RETURN_IF_ERROR(db.Exec(m.sql));
      // PRAGMA takes no bound parameters; the version is our own integer.
      return db.Exec("PRAGMA user_version = " + std::to_string(m.version));
    });
    if (!st.ok()) {
      return Status(st.code(), "migration to version " +
                                   std::to_string(m.version) +
                                   " failed: " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace cratedig::db
