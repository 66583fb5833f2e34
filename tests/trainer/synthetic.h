// A small synthetic tile dataset for trainer tests: 9 genres whose 256x256
// tiles differ in a learnable way (brightness and fine texture, jittered
// per track) under noise, written as
// PNGs to a temp folder and registered like `dataset build` would: releases
// and tracks with a parent genre, a dataset version, dataset tracks, tiles.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "config/site_profile.h"
#include "db/catalogue_tables.h"
#include "db/database.h"
#include "db/dataset_tables.h"

namespace cratedig::trainer::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("cratedig_trainer_" + tag + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

struct SyntheticOptions {
  int tracks_per_genre = 10;  // 6 train, 2 val, 2 holdout
  int tiles_per_track = 2;
  uint64_t seed = 7;
  bool corrupt_one = false;  // overwrite one train tile with garbage
};

struct SyntheticDataset {
  std::string hash = "synthetic0000001";
  std::string tiles_dir;
  int64_t tiles = 0, tracks = 0;
  int64_t holdout_tracks = 0;
  std::string corrupt_path;  // when corrupt_one
};

// Genre g: brightness level g % 3 and texture g / 3 (flat, horizontal or
// vertical stripes two pixels apart), under uniform noise; `jitter` shifts
// a track's brightness.
inline cv::Mat SyntheticTile(int genre, std::mt19937_64& rng, int jitter) {
  cv::Mat img(256, 256, CV_8UC1);
  std::uniform_int_distribution<int> noise(-30, 30);
  const int base = 40 + 50 * (genre % 3) + jitter;
  const int texture = genre / 3;
  for (int r = 0; r < 256; ++r) {
    for (int c = 0; c < 256; ++c) {
      int v = base + noise(rng);
      if (texture == 1 && r % 2 == 0) v += 60;
      if (texture == 2 && c % 2 == 0) v += 60;
      img.at<uint8_t>(r, c) = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return img;
}

// Writes the tiles under `root`/tiles and registers them in `db`.
inline SyntheticDataset MakeSyntheticDataset(db::Database& db,
                                             const std::filesystem::path& root,
                                             const SyntheticOptions& o = {}) {
  SyntheticDataset out;
  out.tiles_dir = (root / "tiles").string();
  std::filesystem::create_directories(root / "tiles" / out.hash);
  db::DatasetsTable datasets(db);
  db::ReleasesTable releases(db);
  db::TracksTable tracks(db);
  db::DatasetRecord d;
  d.hash = out.hash;
  d.settings = config::DatasetSettings{}.ToToml();
  d.tiles_dir = out.tiles_dir;
  if (!datasets.Ensure(d).ok()) return out;
  std::mt19937_64 rng(o.seed);
  const auto& genres = config::DefaultParentGenres();
  for (size_t g = 0; g < genres.size(); ++g) {
    for (int t = 0; t < o.tracks_per_genre; ++t) {
      const std::string sid =
          "g" + std::to_string(g) + "-t" + std::to_string(t);
      db::ReleaseRecord rel;
      rel.store_id = sid;
      rel.url = "http://127.0.0.1/products/" + sid + "/";
      rel.parent_genre = genres[g];
      auto rid = releases.Upsert(rel);
      db::TrackRecord tr;
      tr.release_id = rid.ok() ? *rid : 0;
      tr.store_id = sid + "-01-01";
      tr.position = 1;
      tr.parent_genre = genres[g];
      auto tid = tracks.Upsert(tr);
      if (!tid.ok()) return out;
      const int n = o.tracks_per_genre;
      const std::string split = t < n * 6 / 10   ? "train"
                                : t < n * 8 / 10 ? "val"
                                                 : "holdout";
      if (split == "holdout") ++out.holdout_tracks;
      const int jitter = static_cast<int>(rng() % 17) - 8;
      std::vector<db::TileRecord> rows;
      for (int i = 0; i < o.tiles_per_track; ++i) {
        db::TileRecord row;
        row.dataset_hash = out.hash;
        row.track_id = *tid;
        row.tile_index = i;
        row.path = out.hash + "/" + std::to_string(*tid) + "_" +
                   std::to_string(i) + ".png";
        row.split = split;
        cv::imwrite(out.tiles_dir + "/" + row.path,
                    SyntheticTile(static_cast<int>(g), rng, jitter));
        rows.push_back(row);
        ++out.tiles;
      }
      if (o.corrupt_one && out.corrupt_path.empty() && split == "train") {
        out.corrupt_path = out.tiles_dir + "/" + rows[0].path;
        std::FILE* f = std::fopen(out.corrupt_path.c_str(), "wb");
        std::fputs("\x89PNG\r\n\x1a\n this is not a tile", f);
        std::fclose(f);
      }
      db::DatasetTrackRecord dt;
      dt.dataset_hash = out.hash;
      dt.track_id = *tid;
      dt.split = split;
      dt.ok = true;
      dt.tiles = o.tiles_per_track;
      Status st = db.InTransaction([&] { return datasets.PutTrack(dt, rows); });
      if (!st.ok()) return out;
      ++out.tracks;
    }
  }
  return out;
}

}  // namespace cratedig::trainer::testing
