// BuildDataset: every downloaded preview -> labelled tiles on disk + rows.
//
// Idempotent and resumable: the dataset is identified by settings.Hash();
// a track already recorded for it (ok or failed) is never touched again.
// Each track's tiles are written atomically first, then its dataset_tracks
// row and tile rows are committed in one transaction, so an interrupted
// build (crash, Ctrl-C) resumes where it stopped and the database never
// names a tile that is not on disk (with s.fsync, the file system is synced
// once per batch of finished tracks before their rows are committed).
//
// Work is spread over a pool of threads by track (decode, STFT and PNG run
// on the workers); the calling thread alone writes to the database.
// A corrupt, empty, missing or too-short file is recorded as failed with its
// reason and skipped. Only a problem of the machine (cannot write tiles, the
// database fails) stops a build.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "core/progress.h"
#include "core/status.h"
#include "dataset/track_processor.h"

namespace cratedig::dataset {

struct BuildOptions {
  std::string db_path = "cratedig.db";
  // Output folder; recorded (absolute) as datasets.tiles_dir. Tiles go to
  // "<out_dir>/<hash>/..." so several datasets can share it.
  std::string out_dir = "tiles";
  // Forget this dataset's failed tracks first, so they are tried again.
  bool retry_failed = false;
  // Process at most this many new tracks in this run. Default: 0, all.
  int64_t max_tracks = 0;
};

struct BuildFailure {
  int64_t track_id = 0;
  std::string reason;
};

struct BuildReport {
  std::string dataset_hash;
  std::string tiles_dir;     // absolute
  int64_t sources = 0;       // downloaded previews in the database
  int64_t no_genre = 0;      // of those, tracks with no parent genre
  int64_t already_done = 0;  // tracks recorded before this run
  int64_t over_limit = 0;    // left out by tracks_per_genre / max_tracks
  int64_t retried = 0;       // failed tracks forgotten by retry_failed
  // "*.png.tmp.<pid>" files of a run that was killed mid-write (its pid is
  // gone), removed from the dataset's folder before this run starts.
  int64_t stale_temp_removed = 0;
  int64_t pending = 0;                 // tracks this run set out to build
  int64_t ok = 0, failed = 0;          // outcomes of this run
  int64_t tiles = 0;                   // tiles written in this run
  double audio_seconds = 0;            // decoded in this run
  std::vector<BuildFailure> failures;  // this run's, by track id
  StageSeconds seconds;                // summed over threads
  double wall_seconds = 0;
  int threads = 0;
};

// REQUIRES: s passed Validate(). `cancel` may be null. When cancelled, the
// tracks finished so far are committed and kCancelled is returned.
Result<BuildReport> BuildDataset(const config::DatasetSettings& s,
                                 const BuildOptions& options,
                                 const ProgressFn& progress = {},
                                 const CancelFlag* cancel = nullptr);

}  // namespace cratedig::dataset
