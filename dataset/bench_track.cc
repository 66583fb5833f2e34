#include "dataset/bench_track.h"

#include <time.h>
#include <unistd.h>

#include <chrono>

#include "dataset/track_processor.h"

namespace cratedig::dataset {

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

}  // namespace

json::Json TrackTiming::ToJson() const {
  return json::Json({{"file", file},
                     {"ok", ok},
                     {"audio_s", audio_s},
                     {"tiles", tiles},
                     {"decode_s", decode_s},
                     {"stft_s", stft_s},
                     {"png_s", png_s},
                     {"wall_s", wall_s},
                     {"cpu_s", cpu_s},
                     {"error", error}});
}

void BenchTracks(const std::vector<std::string>& files,
                 const config::DatasetSettings& settings,
                 const std::filesystem::path& out,
                 const std::function<void(const TrackTiming&)>& on_file) {
  namespace fs = std::filesystem;
  fs::path root = out;
  const bool remove_after = root.empty();
  if (remove_after) {
    root = fs::temp_directory_path() /
           ("cratedig_bench_track_" + std::to_string(::getpid()));
  }
  int64_t index = 0;
  for (const std::string& file : files) {
    const double cpu0 = ThreadCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    TrackOutput o = ProcessTrack(file, index++, "bench", root, settings);
    TrackTiming t;
    t.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    t.cpu_s = ThreadCpuSeconds() - cpu0;
    t.file = fs::path(file).filename().string();
    t.ok = o.status.ok();
    t.audio_s = o.audio_seconds;
    t.tiles = static_cast<int>(o.tiles.size());
    t.decode_s = o.seconds.decode;
    t.stft_s = o.seconds.stft;
    t.png_s = o.seconds.png;
    if (!t.ok) t.error = o.status.message();
    on_file(t);
  }
  if (remove_after) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
}

}  // namespace cratedig::dataset
