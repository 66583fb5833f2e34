// A small catalogue database for recommender tests, built through the typed
// tables: releases, tracks, previews (real WAV files), a dataset with PNG
// tiles written by OpenCV, a model run and its embeddings.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "db/catalogue_tables.h"
#include "db/database.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"

namespace cratedig::recommender::testing {

// A unique folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "rec") {
    static std::atomic<int> n{0};
    path_ = std::filesystem::temp_directory_path() /
            ("cratedig_" + tag + "_" + std::to_string(::getpid()) + "_" +
             std::to_string(n++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// 16-bit mono PCM WAV: a sine of `hz` for `seconds`.
inline void WriteWav(const std::filesystem::path& p, double seconds,
                     double hz = 440, int rate = 8000) {
  const uint32_t n = static_cast<uint32_t>(seconds * rate);
  std::ofstream f(p, std::ios::binary);
  auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<char*>(&v), 2); };
  f.write("RIFF", 4);
  u32(36 + n * 2);
  f.write("WAVEfmt ", 8);
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(rate);
  u32(rate * 2);
  u16(2);
  u16(16);
  f.write("data", 4);
  u32(n * 2);
  for (uint32_t i = 0; i < n; ++i) {
    int16_t s = static_cast<int16_t>(
        8000 * std::sin(2 * M_PI * hz * i / static_cast<double>(rate)));
    f.write(reinterpret_cast<char*>(&s), 2);
  }
}

struct FixtureTrack {
  std::string artist, title, genre;
  std::vector<float> vec;  // embedding; empty: none stored
  bool preview = true;     // a WAV file and an ok previews row
  int tiles = 2;           // PNG tiles in the dataset
  // Tracks with the same release >= 0 share one release (album); -1: a
  // release of its own.
  int release = -1;
  // Pixel value of tile row r (of `tile_size`); default: a gradient.
  std::function<uint8_t(int row)> tile_row;
};

struct Fixture {
  std::string db_path;
  std::vector<int64_t> track_ids;  // in FixtureTrack order
  int64_t run_id = 0;
  std::string dataset_hash = "fixturehash0000000000";
  std::filesystem::path tiles_dir;
  std::vector<std::filesystem::path> preview_files;  // "" when none
};

// Builds everything under `dir`. ASSERT-free: returns a status message on
// failure ("" when fine) so callers can ASSERT on it.
inline std::string BuildFixture(const std::filesystem::path& dir,
                                const std::vector<FixtureTrack>& tracks,
                                Fixture& out, int tile_size = 64) {
  out.db_path = (dir / "fixture.db").string();
  out.tiles_dir = dir / "tiles";
  std::filesystem::create_directories(out.tiles_dir);
  std::filesystem::create_directories(dir / "previews");
  auto opened = db::Database::Open(out.db_path);
  if (!opened.ok()) return opened.status().ToString();
  db::Database& db = **opened;
  db::ReleasesTable releases(db);
  db::TracksTable tracks_table(db);
  db::PreviewsTable previews(db);
  db::DatasetsTable datasets(db);
  db::ModelRunsTable runs(db);
  db::EmbeddingsTable embeddings(db);

  Status st = db.InTransaction([&]() -> Status {
    CRATEDIG_RETURN_IF_ERROR(datasets.Ensure(
        {out.dataset_hash, "[spectrogram]\n", out.tiles_dir.string(), 0}));
    db::ModelRunRecord run;
    run.dataset_hash = out.dataset_hash;
    run.network = "seed";
    run.config = "";
    run.status = db::RunStatus::kDone;
    run.metrics = R"({"holdout_track_accuracy":0.5})";
    CRATEDIG_ASSIGN_OR_RETURN(out.run_id, runs.Create(run));
    for (size_t i = 0; i < tracks.size(); ++i) {
      const FixtureTrack& ft = tracks[i];
      db::ReleaseRecord r;
      int position = 1;
      if (ft.release >= 0) {
        r.store_id = "200" + std::to_string(ft.release) + "-1";
        for (size_t j = 0; j < i; ++j)
          position += tracks[j].release == ft.release;
      } else {
        r.store_id = "100" + std::to_string(i) + "-1";
      }
      r.url = "http://127.0.0.1/products/x/" + r.store_id + "/";
      r.artist = ft.artist;
      r.title = ft.title;
      r.parent_genre = ft.genre;
      CRATEDIG_ASSIGN_OR_RETURN(int64_t rid, releases.Upsert(r));
      db::TrackRecord t;
      t.release_id = rid;
      t.store_id = r.store_id + (position < 10 ? "-01-0" : "-01-") +
                   std::to_string(position);
      t.position = position;
      t.artist = ft.artist;
      t.title = ft.title;
      if (!ft.genre.empty()) t.parent_genre = ft.genre;
      t.preview_url = "http://127.0.0.1/MP3/SF" + t.store_id + ".mp3";
      CRATEDIG_ASSIGN_OR_RETURN(int64_t tid, tracks_table.Upsert(t));
      out.track_ids.push_back(tid);

      db::PreviewRecord p;
      p.track_id = tid;
      p.url = *t.preview_url;
      if (ft.preview) {
        auto file = dir / "previews" / (std::to_string(tid) + ".wav");
        WriteWav(file, 5.0, 220.0 * (1 + i % 4));
        p.status = db::PreviewStatus::kOk;
        p.path = file.string();
        out.preview_files.push_back(file);
      } else {
        p.status = db::PreviewStatus::kFailed;
        p.error = "HTTP 404";
        out.preview_files.emplace_back();
      }
      CRATEDIG_RETURN_IF_ERROR(previews.Put(p));

      std::vector<db::TileRecord> tiles;
      for (int k = 0; k < ft.tiles; ++k) {
        cv::Mat img(tile_size, tile_size, CV_8UC1);
        for (int row = 0; row < tile_size; ++row) {
          uint8_t v = ft.tile_row
                          ? ft.tile_row(row)
                          : static_cast<uint8_t>(row * 255 / (tile_size - 1));
          img.row(row).setTo(v);
        }
        std::string rel =
            std::to_string(tid) + "/" + std::to_string(k) + ".png";
        std::filesystem::create_directories(out.tiles_dir /
                                            std::to_string(tid));
        if (!cv::imwrite((out.tiles_dir / rel).string(), img)) {
          return Status::IoError("imwrite " + rel);
        }
        db::TileRecord tr;
        tr.dataset_hash = out.dataset_hash;
        tr.track_id = tid;
        tr.tile_index = k;
        tr.path = rel;
        tr.split = "train";
        tiles.push_back(tr);
      }
      db::DatasetTrackRecord dt;
      dt.dataset_hash = out.dataset_hash;
      dt.track_id = tid;
      dt.split = "train";
      dt.ok = ft.tiles > 0;
      dt.tiles = ft.tiles;
      CRATEDIG_RETURN_IF_ERROR(datasets.PutTrack(dt, tiles));
      if (!ft.vec.empty()) {
        CRATEDIG_RETURN_IF_ERROR(
            embeddings.Put({out.run_id, tid, ft.tiles, ft.vec}));
      }
    }
    return Status::Ok();
  });
  return st.ok() ? "" : st.ToString();
}

// The standard fixture: 12 tracks, 3 genres of 4 (rows 0-3 "Trance",
// 4-7 "Drum and Bass", 8-11 "Downtempo"), artists in pairs (row / 2), and
// embeddings that cluster tightly by genre.
inline std::vector<FixtureTrack> GenreClusterTracks(int dim = 8) {
  const char* genres[] = {"Trance", "Drum and Bass", "Downtempo"};
  std::vector<FixtureTrack> t;
  for (int i = 0; i < 12; ++i) {
    FixtureTrack ft;
    ft.artist = "Artist " + std::string(1, static_cast<char>('A' + i / 2));
    ft.title = "Tune " + std::to_string(i);
    ft.genre = genres[i / 4];
    ft.vec.assign(dim, 0.0f);
    ft.vec[i / 4] = 1.0f;
    // Small distinct offsets off the genre axes keep neighbours ordered.
    ft.vec[3 + i % (dim - 3)] = 0.01f * (1 + i);
    t.push_back(ft);
  }
  return t;
}

}  // namespace cratedig::recommender::testing
