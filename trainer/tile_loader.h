// TileLoader: a background thread that decodes PNG tiles (libpng) in a
// (possibly shuffled) order and hands out ready float batches, so the model
// never waits on the disk or on zlib.
//
// One loader makes one pass over its items. A tile that does not decode, or
// whose size is not the expected one, is skipped and counted (corrupt());
// the batch it would have joined is filled from the next tiles.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "trainer/tile_source.h"

namespace cratedig::trainer {
class TileCache;
}

namespace cratedig::trainer {

struct Batch {
  int n = 0;
  int height = 0, width = 0;
  std::vector<float> pixels;    // n x height x width, grey / 255 in [0, 1]
  std::vector<int64_t> labels;  // n
  std::vector<size_t> items;    // n indexes into the loader's item list
  // Mixup (trainer/augment.h): tile i is mix_lambda x itself + (1 -
  // mix_lambda) x tile mix_partner[i]; the loss mixes the labels alike.
  // Empty: not mixed.
  float mix_lambda = 1;
  std::vector<int64_t> mix_partner;
};

struct LoaderOptions {
  int batch_size = 128;
  // Visit the items in a random order drawn from `seed`. Default: in order.
  bool shuffle = false;
  uint64_t seed = 0;
  // Ready batches kept ahead of the consumer. Default: 4.
  int prefetch = 4;
  // Expected tile size; other sizes count as corrupt. Default: 256x256.
  int height = 256, width = 256;
  // Decoded pixels to read instead of the PNGs (same bytes, ~50x cheaper;
  // see tile_cache.h); a tile it lacks is counted as corrupt. Not owned;
  // must outlive the loader. Default: none, decode the PNGs.
  const TileCache* cache = nullptr;
  // Applied by the loader thread to each batch before it is handed out,
  // with the batch's number (0, 1, ...). Default: none.
  std::function<void(Batch&, int64_t)> transform;
};

class TileLoader {
 public:
  // Starts decoding at once. REQUIRES: `items` outlives the loader.
  TileLoader(const std::vector<TileItem>& items, LoaderOptions options);
  ~TileLoader();  // stops the thread and joins it
  TileLoader(const TileLoader&) = delete;
  TileLoader& operator=(const TileLoader&) = delete;

  // The next batch, or nullopt once every item was handed out.
  std::optional<Batch> Next();

  // Tiles skipped so far, and which (indexes into the item list).
  int64_t corrupt() const;
  std::vector<size_t> corrupt_items() const;
  // Why the first skipped tile was skipped, naming it ("<path>: libpng:
  // IDAT: CRC error"); "" when none was.
  std::string first_corrupt_reason() const;

  // The visiting order a loader with these options uses (for tests).
  static std::vector<size_t> Order(size_t n, bool shuffle, uint64_t seed);

 private:
  void Run();

  const std::vector<TileItem>& items_;
  LoaderOptions opt_;
  mutable std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<Batch> queue_;
  std::vector<size_t> corrupt_;
  std::string first_corrupt_reason_;
  bool done_ = false, stop_ = false;
  std::thread thread_;
};

}  // namespace cratedig::trainer
