#include "trainer/tile_cache.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <opencv2/imgcodecs.hpp>

#include "core/files.h"

namespace cratedig::trainer {

namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'C', 'D', 'T', 'C', 'A', 'C', 'H', '1'};
constexpr uint64_t kPage = 4096;

struct Header {
  char magic[8];
  uint32_t height, width;
  uint64_t count, data_offset;
};
static_assert(sizeof(Header) == 32);

struct Entry {
  int64_t tile_id;
  int64_t bytes;
  int64_t mtime_ns;
  uint8_t sha[32];
  uint8_t ok;
  uint8_t pad[7];
};
static_assert(sizeof(Entry) == 64);

uint64_t DataOffset(uint64_t count) {
  const uint64_t end = sizeof(Header) + count * sizeof(Entry);
  return (end + kPage - 1) / kPage * kPage;
}

// Size and modification time of a file; false when it cannot be stat'ed.
bool StatFile(const std::string& path, int64_t* bytes, int64_t* mtime_ns) {
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0) return false;
  *bytes = static_cast<int64_t>(sb.st_size);
  *mtime_ns = static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000LL +
              sb.st_mtim.tv_nsec;
  return true;
}

void Sha256(const std::string& data, uint8_t out[32]) {
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
}

// A read-only mapping of a whole file, unmapped on destruction.
struct Mapping {
  const uint8_t* p = nullptr;
  size_t size = 0;
  Mapping() = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() {
    if (p != nullptr) ::munmap(const_cast<uint8_t*>(p), size);
  }
  bool Open(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat sb;
    bool ok = ::fstat(fd, &sb) == 0 && sb.st_size > 0;
    if (ok) {
      void* m = ::mmap(nullptr, static_cast<size_t>(sb.st_size), PROT_READ,
                       MAP_SHARED, fd, 0);
      if (m == MAP_FAILED) {
        ok = false;
      } else {
        p = static_cast<const uint8_t*>(m);
        size = static_cast<size_t>(sb.st_size);
      }
    }
    ::close(fd);
    return ok;
  }
};

// The old cache's header and entries when it is well formed for this
// geometry (else nothing: it is rebuilt).
bool ReadLayout(const Mapping& m, int height, int width, Header* h,
                const Entry** entries) {
  if (m.size < sizeof(Header)) return false;
  std::memcpy(h, m.p, sizeof(Header));
  if (std::memcmp(h->magic, kMagic, sizeof kMagic) != 0) return false;
  if (h->height != static_cast<uint32_t>(height) ||
      h->width != static_cast<uint32_t>(width)) {
    return false;
  }
  const uint64_t px = uint64_t(height) * width;
  if (h->count > (m.size / (px ? px : 1)) + 1) return false;
  if (h->data_offset != DataOffset(h->count)) return false;
  if (h->data_offset + h->count * px != m.size) return false;
  *entries = reinterpret_cast<const Entry*>(m.p + sizeof(Header));
  return true;
}

// The old cache file, if it is one for this tile size.
struct OldCache {
  Mapping file;
  Header header{};
  const Entry* entries = nullptr;
  std::unordered_map<int64_t, uint64_t> slot;  // tile id -> slot
};

void ReadOldCache(const fs::path& path, int height, int width, OldCache& old) {
  if (old.file.Open(path) &&
      ReadLayout(old.file, height, width, &old.header, &old.entries)) {
    for (uint64_t i = 0; i < old.header.count; ++i) {
      old.slot[old.entries[i].tile_id] = i;
    }
  }
}

// The new file's entries, and per item the old slot to copy (-1: decode).
struct CachePlan {
  std::vector<Entry> entries;
  std::vector<int64_t> reuse;
  bool changed = false;  // the file must be rewritten
};

// Reuses a slot whose PNG is unchanged (same size and mtime, or else the
// same SHA-256); the others are to be decoded.
CachePlan PlanCache(const std::vector<TileItem>& items, const OldCache& old,
                    TileCacheStats& stats) {
  CachePlan plan;
  plan.entries.resize(items.size());
  plan.reuse.assign(items.size(), -1);
  plan.changed = old.slot.size() != items.size();
  for (size_t i = 0; i < items.size(); ++i) {
    Entry& e = plan.entries[i];
    std::memset(&e, 0, sizeof e);
    e.tile_id = items[i].tile_id;
    if (!StatFile(items[i].path, &e.bytes, &e.mtime_ns)) e.bytes = -1;
    auto it = old.slot.find(e.tile_id);
    if (it == old.slot.end()) {
      plan.changed = true;
      continue;
    }
    const Entry& o = old.entries[it->second];
    bool same = o.bytes == e.bytes && o.mtime_ns == e.mtime_ns;
    if (!same && e.bytes >= 0 && o.bytes == e.bytes) {
      // Touched (copied, restored) but maybe not changed: the hash decides.
      ++stats.rehashed;
      auto bytes = ReadFile(items[i].path);
      uint8_t sha[32];
      if (bytes.ok()) {
        Sha256(*bytes, sha);
        same = std::memcmp(sha, o.sha, sizeof sha) == 0;
      }
    }
    if (!same) {
      plan.changed = true;
      continue;
    }
    if (o.mtime_ns != e.mtime_ns || it->second != i) plan.changed = true;
    std::memcpy(e.sha, o.sha, sizeof e.sha);
    e.ok = o.ok;
    plan.reuse[i] = static_cast<int64_t>(it->second);
  }
  return plan;
}

// Reads and decodes one PNG into `img`, hashing the same bytes into e.sha
// so the entry describes exactly what the slot holds. Sets e.ok when it is
// a height x width gray tile.
void DecodeTile(const std::string& path, int height, int width, Entry& e,
                cv::Mat& img) {
  auto bytes = ReadFile(path);
  if (bytes.ok()) {
    Sha256(*bytes, e.sha);
    img = cv::imdecode(
        cv::Mat(1, static_cast<int>(bytes->size()), CV_8UC1, bytes->data()),
        cv::IMREAD_GRAYSCALE);
  }
  if (!img.empty() && img.rows == height && img.cols == width &&
      img.type() == CV_8UC1 && img.isContinuous()) {
    e.ok = 1;
  }
}

// Writes the planned cache to `path` atomically (temp file + rename): the
// reused slots copied from `old`, the others decoded (a bad tile as
// zeros with ok = 0).
Status WriteCache(const fs::path& path, const std::vector<TileItem>& items,
                  int height, int width, const OldCache& old, CachePlan& plan,
                  TileCacheStats& stats, const ProgressFn& progress,
                  const CancelFlag* cancel) {
  const size_t px = static_cast<size_t>(height) * width;
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return Status::IoError("cannot write tile cache " + tmp.string() + ": " +
                           std::strerror(errno));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  auto fail = [&](const std::string& why) {
    closer.reset();
    fs::remove(tmp, ec);
    return Status::IoError("cannot write tile cache " + tmp.string() + ": " +
                           why);
  };
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.height = static_cast<uint32_t>(height);
  h.width = static_cast<uint32_t>(width);
  h.count = items.size();
  h.data_offset = DataOffset(h.count);
  // Entries are written after the pixels (their ok flags are known only
  // then); reserve their room first.
  std::vector<uint8_t> head(h.data_offset, 0);
  if (std::fwrite(head.data(), 1, head.size(), f) != head.size()) {
    return fail(std::strerror(errno));
  }
  std::vector<uint8_t> zeros(px, 0);
  const uint64_t old_px_base = old.header.data_offset;
  for (size_t i = 0; i < items.size(); ++i) {
    if (cancel != nullptr && cancel->stop()) {
      closer.reset();
      fs::remove(tmp, ec);
      return Status::Cancelled("tile cache build stopped");
    }
    Entry& e = plan.entries[i];
    const uint8_t* src = zeros.data();
    cv::Mat img;
    if (plan.reuse[i] >= 0) {
      src =
          old.file.p + old_px_base + static_cast<uint64_t>(plan.reuse[i]) * px;
    } else if (e.bytes >= 0) {
      ++stats.decoded;
      DecodeTile(items[i].path, height, width, e, img);
      if (e.ok) src = img.ptr<uint8_t>(0);
    }
    if (std::fwrite(src, 1, px, f) != px) return fail(std::strerror(errno));
    if ((i + 1) % 256 == 0 || i + 1 == items.size()) {
      Report(progress, {"tile cache", static_cast<int64_t>(i + 1),
                        static_cast<int64_t>(items.size()), "tiles", ""});
    }
  }
  if (std::fseek(f, 0, SEEK_SET) != 0 || std::fwrite(&h, sizeof h, 1, f) != 1 ||
      (!plan.entries.empty() &&
       std::fwrite(plan.entries.data(), sizeof(Entry), plan.entries.size(),
                   f) != plan.entries.size()) ||
      std::fflush(f) != 0) {
    return fail(std::strerror(errno));
  }
  closer.reset();
  return CommitTempFile(tmp, path);
}

}  // namespace

fs::path TileCache::PathFor(const std::string& tiles_dir,
                            const std::string& dataset_hash) {
  return fs::path(tiles_dir) / (dataset_hash + ".tilecache");
}

TileCache::~TileCache() {
  if (base_ != nullptr) ::munmap(const_cast<uint8_t*>(base_), mapped_);
}

Status TileCache::Map(const fs::path& path) {
  Mapping m;
  if (!m.Open(path)) {
    return Status::IoError("cannot map tile cache " + path.string());
  }
  Header h;
  const Entry* entries = nullptr;
  if (!ReadLayout(m, height_, width_, &h, &entries)) {
    return Status::Corrupt("tile cache " + path.string() + " is malformed");
  }
  slot_.clear();
  stats_.tiles = static_cast<int64_t>(h.count);
  stats_.corrupt = 0;
  for (uint64_t i = 0; i < h.count; ++i) {
    if (entries[i].ok) {
      slot_[entries[i].tile_id] = static_cast<int64_t>(i);
    } else {
      ++stats_.corrupt;
    }
  }
  data_offset_ = h.data_offset;
  base_ = m.p;
  mapped_ = m.size;
  m.p = nullptr;  // ownership moves to the cache
  return Status::Ok();
}

Result<std::unique_ptr<TileCache>> TileCache::Open(
    const fs::path& path, const std::vector<TileItem>& items, int height,
    int width, const ProgressFn& progress, const CancelFlag* cancel) {
  if (height < 1 || width < 1) {
    return Status::InvalidArgument("tile cache: bad tile size");
  }
  std::unique_ptr<TileCache> cache(new TileCache());
  cache->height_ = height;
  cache->width_ = width;

  OldCache old;
  ReadOldCache(path, height, width, old);
  CachePlan plan = PlanCache(items, old, cache->stats_);
  if (plan.changed) {
    CRATEDIG_RETURN_IF_ERROR(WriteCache(path, items, height, width, old, plan,
                                        cache->stats_, progress, cancel));
    cache->stats_.rewritten = true;
  }
  const int64_t decoded = cache->stats_.decoded;
  const int64_t rehashed = cache->stats_.rehashed;
  CRATEDIG_RETURN_IF_ERROR(cache->Map(path));
  cache->stats_.decoded = decoded;
  cache->stats_.rehashed = rehashed;
  cache->stats_.rewritten = plan.changed;
  return cache;
}

const uint8_t* TileCache::Pixels(int64_t tile_id) const {
  auto it = slot_.find(tile_id);
  if (it == slot_.end()) return nullptr;
  return base_ + data_offset_ +
         static_cast<uint64_t>(it->second) * height_ * width_;
}

Result<std::unique_ptr<TileCache>> OpenDatasetCache(db::Database& db,
                                                    const db::DatasetRecord& d,
                                                    const ProgressFn& progress,
                                                    const CancelFlag* cancel) {
  CRATEDIG_ASSIGN_OR_RETURN(TileGeometry g, DatasetGeometry(d));
  CRATEDIG_ASSIGN_OR_RETURN(auto items, LoadTiles(db, d, "", false, nullptr));
  return TileCache::Open(TileCache::PathFor(d.tiles_dir, d.hash), items,
                         g.height, g.width, progress, cancel);
}

}  // namespace cratedig::trainer
