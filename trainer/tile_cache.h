// TileCache: every tile of a dataset version decoded once into one
// memory-mapped file of raw 8-bit pixels, so that training, evaluation and
// embedding read bytes instead of inflating PNGs on every pass.
//
// Why: on 2 cores the PNG decoding of the loader thread took CPU from the
// model's compute threads (bench/trainer: 102 tiles/s end to end against
// 199 for the model alone). A cached tile costs a memcpy-sized conversion.
//
// File "<tiles_dir>/<dataset hash>.tilecache" (host byte order; it is a
// cache, rebuilt when unreadable, never moved between machines):
//   header   "CDTCACH1", u32 height, u32 width, u64 count, u64 data_offset
//   entries  count x {i64 tile_id, i64 bytes, i64 mtime_ns, u8 sha256[32],
//            u8 ok, 7 pad}: what each slot was decoded from
//   pixels   count x height*width bytes at data_offset (page aligned)
// Contract: a slot's pixels are those of the PNG whose SHA-256 the entry
// holds. Open() stats every PNG; one whose size or mtime differs from its
// entry is hashed again and, when the hash differs too, decoded again (so
// a rewritten tile is never served stale). A tile that did not decode (or
// had the wrong size) has ok = 0 and Pixels() returns nullptr for it: the
// loader counts it as corrupt, as it would without the cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/progress.h"
#include "core/status.h"
#include "db/database.h"
#include "db/dataset_tables.h"
#include "trainer/tile_source.h"

namespace cratedig::trainer {

struct TileCacheStats {
  int64_t tiles = 0;     // slots in the cache
  int64_t decoded = 0;   // PNGs decoded by this Open (0: reused as it was)
  int64_t rehashed = 0;  // PNGs hashed again because size or mtime changed
  int64_t corrupt = 0;   // slots with no pixels
  bool rewritten = false;
};

class TileCache {
 public:
  // The cache file of a dataset version.
  static std::filesystem::path PathFor(const std::string& tiles_dir,
                                       const std::string& dataset_hash);

  // Opens the cache at `path` for `items` (any order, any subset of one
  // dataset; normally all its tiles), building or refreshing it first when
  // it is missing, of another geometry, or stale (see above). The file is
  // replaced atomically (temp + rename), so concurrent users and a crash
  // never see half a cache. IoError when it cannot be written.
  static Result<std::unique_ptr<TileCache>> Open(
      const std::filesystem::path& path, const std::vector<TileItem>& items,
      int height, int width, const ProgressFn& progress,
      const CancelFlag* cancel);
  ~TileCache();
  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  // height*width bytes of tile `tile_id`, or nullptr when the tile is not
  // in the cache or did not decode. Valid while the cache lives; safe to
  // call from any thread.
  const uint8_t* Pixels(int64_t tile_id) const;

  int height() const { return height_; }
  int width() const { return width_; }
  const TileCacheStats& stats() const { return stats_; }

 private:
  TileCache() = default;
  Status Map(const std::filesystem::path& path);

  int height_ = 0, width_ = 0;
  const uint8_t* base_ = nullptr;  // the mapping
  size_t mapped_ = 0;
  uint64_t data_offset_ = 0;
  std::unordered_map<int64_t, int64_t> slot_;  // tile id -> slot (ok only)
  TileCacheStats stats_;
};

// The cache of every tile of dataset `d` (TileCache::Open over LoadTiles of
// all splits), at TileCache::PathFor(d.tiles_dir, d.hash).
Result<std::unique_ptr<TileCache>> OpenDatasetCache(db::Database& db,
                                                    const db::DatasetRecord& d,
                                                    const ProgressFn& progress,
                                                    const CancelFlag* cancel);

}  // namespace cratedig::trainer
