#include "dataset/track_processor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "core/stopwatch.h"
#include "dataset/audio_decoder.h"
#include "dataset/audio_tiles.h"
#include "dataset/spectrogram.h"

namespace cratedig::dataset {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

Status Errno(const std::string& what, const fs::path& p) {
  return Status::IoError(what + " " + p.string() + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const std::vector<uchar>& buf, const fs::path& p) {
  const uchar* d = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    ssize_t n = ::write(fd, d, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", p);
    }
    d += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

struct PendingFile {
  fs::path final_path, tmp_path;
};

// Writes all images as temp files, then renames them into place. No fsync
// here: the builder makes a whole batch of tracks durable with one syncfs()
// before their rows are committed (see builder.cc).
Status WritePngsAtomic(
    const std::vector<std::pair<fs::path, const cv::Mat*>>& items,
    const config::DatasetSettings& s) {
  // Z_RLE: on spectrogram tiles it is ~30% faster than zlib's default
  // strategy at level 1 and makes slightly smaller files
  // (bench/dataset/dataset_bench, BM_PngTiles).
  const std::vector<int> params = {cv::IMWRITE_PNG_COMPRESSION,
                                   s.png_compression, cv::IMWRITE_PNG_STRATEGY,
                                   cv::IMWRITE_PNG_STRATEGY_RLE};
  std::vector<PendingFile> files;
  std::set<fs::path> dirs;
  auto cleanup = [&] {
    for (const PendingFile& f : files) ::unlink(f.tmp_path.c_str());
  };
  std::vector<uchar> buf;
  for (const auto& [path, img] : items) {
    const fs::path dir = path.parent_path();
    if (dirs.insert(dir).second) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) {
        cleanup();
        return Status::IoError("cannot create " + dir.string() + ": " +
                               ec.message());
      }
    }
    buf.clear();
    if (!cv::imencode(".png", *img, buf, params)) {
      cleanup();
      return Status::Internal("PNG encoding failed for " + path.string());
    }
    fs::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      cleanup();
      return Errno("cannot create", tmp);
    }
    files.push_back({path, tmp});
    Status st = WriteAll(fd, buf, tmp);
    ::close(fd);
    if (!st.ok()) {
      cleanup();
      return st;
    }
  }
  for (const PendingFile& f : files) {
    if (::rename(f.tmp_path.c_str(), f.final_path.c_str()) != 0) {
      Status st = Errno("cannot rename to", f.final_path);
      cleanup();
      return st;
    }
  }
  return Status::Ok();
}

std::string Bucket(int64_t track_id) {
  return fmt::format("{:03d}", track_id / 1000);
}

}  // namespace

std::string TilePath(const std::string& hash, int64_t track_id, int index) {
  return fmt::format("{}/{}/{}_{:03d}.png", hash, Bucket(track_id), track_id,
                     index);
}

std::string FullSpectrogramPath(const std::string& hash, int64_t track_id) {
  return fmt::format("{}/{}/{}_full.png", hash, Bucket(track_id), track_id);
}

TrackOutput ProcessTrack(const std::string& audio_path, int64_t track_id,
                         const std::string& hash, const fs::path& tiles_root,
                         const config::DatasetSettings& s) {
  TrackOutput out;
  auto t = Clock::now();
  DecodeOptions dopt;
  dopt.max_seconds = s.max_seconds;
  Result<std::vector<float>> samples =
      DecodeAudio(audio_path, s.sample_rate, dopt);
  out.seconds.decode = SecondsSince(t);
  if (!samples.ok()) {
    out.status = samples.status();
    return out;
  }
  out.audio_seconds =
      static_cast<double>(samples->size()) / static_cast<double>(s.sample_rate);

  t = Clock::now();
  cv::Mat spec = ComputeSpectrogram(*samples, s);
  std::vector<cv::Mat> tiles = CutTiles(spec, s);
  out.seconds.stft = SecondsSince(t);
  if (tiles.empty()) {
    out.status = Status::Corrupt(TooShortReason(out.audio_seconds, s));
    return out;
  }

  t = Clock::now();
  std::vector<std::pair<fs::path, const cv::Mat*>> items;
  for (size_t i = 0; i < tiles.size(); ++i) {
    out.tiles.push_back(TilePath(hash, track_id, static_cast<int>(i)));
    items.emplace_back(tiles_root / out.tiles.back(), &tiles[i]);
  }
  if (s.write_full_spectrogram) {
    items.emplace_back(tiles_root / FullSpectrogramPath(hash, track_id), &spec);
  }
  out.status = WritePngsAtomic(items, s);
  out.seconds.png = SecondsSince(t);
  if (!out.status.ok()) out.tiles.clear();
  return out;
}

}  // namespace cratedig::dataset
