// Download: fetches the previews of a seeded, stable pick of tracks
// (`cratedig download`), through the same PoliteClient as the crawl.
//
// Pick: among tracks with a preview URL and a parent genre, each parent
// genre's tracks are ranked by hash(seed, store_id) and the first N taken,
// so a larger N keeps every track a smaller N picked.
// Each file is written to a temp name in the output folder, checked (2xx,
// Content-Length equal to the bytes received, an mp3 frame header or ID3
// tag), fsynced and renamed to <out>/<sha256>.mp3: the name comes from the
// content, never from the network, and a reader never sees a partial file.
// The previews table records path (absolute), bytes, sha256, status and,
// for a failure, its reason; a failure never stops the run. Tracks whose
// preview is already `ok` with its file present, of the recorded size and
// sha256, are skipped, so a rerun only fetches what is missing, damaged or
// failed. A full disk stops the run with "no space left" in the error.
// Holds the database's WriterLock (db/writer_lock.h) while it runs.
// Requests go through the same fetch loop as the crawl (fetch_loop.h): one
// kept-alive connection per host, paced by the profile's politeness like
// every page.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/site_profile.h"
#include "core/progress.h"
#include "core/status.h"
#include "crawler/clock.h"
#include "db/catalogue_tables.h"
#include "db/database.h"

namespace cratedig::crawler {

struct DownloadOptions {
  int per_genre = 1000;              // tracks per parent genre. Default: 1000.
  uint64_t seed = 42;                // the pick's seed. Default: 42.
  std::string out_dir = "previews";  // Default: ./previews
  // Parent genres to take. Default: empty = all parent genres.
  std::vector<std::string> genres;
  uint64_t jitter_seed = 0;  // delay jitter; 0 = random
  int queue_ahead = 2;       // as in CrawlOptions
};

struct DownloadStats {
  int64_t picked = 0;
  int64_t skipped = 0;  // already downloaded, size and sha256 checked
  int64_t damaged = 0;  // recorded ok, but missing or damaged on disk
  int64_t ok = 0;
  int64_t failed = 0;
  int64_t requests = 0;
  int64_t bytes = 0;
  int64_t retries = 0;
  int64_t http_429 = 0;
  int64_t robots_forbidden = 0;
  // Every counter by name, as CrawlStats::counters (the client's, plus
  // "download/ok", "download/failed").
  std::map<std::string, int64_t> counters;
  double elapsed_s = 0;
  bool cancelled = false;
};

// The stable pick (pure). `tracks` need preview_url and parent_genre set;
// others are ignored. Result ordered by parent genre, then rank.
std::vector<db::TrackRecord> PickTracks(
    const std::vector<db::TrackRecord>& tracks, int per_genre, uint64_t seed);

// The rank key of a track: the first 8 bytes of sha256("<seed>:<store_id>").
uint64_t PickRank(uint64_t seed, const std::string& store_id);

Result<DownloadStats> RunDownload(db::Database& db,
                                  const config::SiteProfile& profile,
                                  const DownloadOptions& options,
                                  const ProgressFn& progress = {},
                                  const CancelFlag* cancel = nullptr,
                                  Clock* clock = nullptr);

}  // namespace cratedig::crawler
