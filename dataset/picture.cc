#include "dataset/picture.h"

#include <fmt/format.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "dataset/audio_decoder.h"
#include "dataset/audio_tiles.h"
#include "dataset/spectrogram.h"

namespace cratedig::dataset {

Result<cv::Mat> RenderSpectrogramAndTiles(const std::string& path,
                                          const config::DatasetSettings& s,
                                          const PictureOptions& o) {
  DecodeOptions dopt;
  dopt.max_seconds = s.max_seconds;
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<float> samples,
                            DecodeAudio(path, s.sample_rate, dopt));
  const cv::Mat spec = ComputeSpectrogram(samples, s);
  const std::vector<cv::Mat> tiles = CutTiles(spec, s);
  const double seconds = static_cast<double>(samples.size()) / s.sample_rate;
  if (tiles.empty()) return Status::Corrupt(TooShortReason(seconds, s));

  const int per_row = std::max(1, o.tiles_per_row);
  const int tw = s.tile_width, th = s.height, gap = o.gap;
  const int width = per_row * tw + (per_row + 1) * gap;
  const int grid_rows =
      (static_cast<int>(tiles.size()) + per_row - 1) / per_row;
  const int header = 40, label = 20, tick = 6;
  const int full_h = th;
  const int height = header + full_h + tick + gap + label +
                     grid_rows * (th + label + gap) + gap;
  // One grey channel, like the tiles themselves (and a third of the bytes).
  cv::Mat pic(height, width, CV_8UC1, cv::Scalar(40));
  const cv::Scalar text(230), mark(200);
  const int font = cv::FONT_HERSHEY_SIMPLEX;

  const std::string title =
      o.title.empty() ? std::filesystem::path(path).filename().string()
                      : o.title;
  cv::putText(
      pic,
      fmt::format("{}: {:.1f} s, mono {} Hz, {} cols/s, {} rows {} 0-{:.0f} "
                  "Hz, {:.0f} dB -> {} tiles of {}x{}",
                  title, seconds, s.sample_rate, s.columns_per_second, s.height,
                  s.frequency_scale, s.sample_rate / 2.0, s.dynamic_range_db,
                  tiles.size(), th, tw),
      cv::Point(gap, 22), font, 0.5, text, 1, cv::LINE_AA);

  // The whole spectrogram, squeezed to the picture's width.
  const int fw = width - 2 * gap;
  cv::Mat squeezed;
  cv::resize(spec, squeezed, cv::Size(fw, th), 0, 0, cv::INTER_AREA);
  squeezed.copyTo(pic(cv::Rect(gap, header, fw, th)));
  // Tile boundaries as ticks above and below the strip.
  const double xscale = static_cast<double>(fw) / spec.cols;
  for (size_t i = 0; i <= tiles.size(); ++i) {
    const int x =
        gap + std::min(fw - 1, static_cast<int>(std::lround(i * tw * xscale)));
    cv::line(pic, cv::Point(x, header - tick - 1), cv::Point(x, header - 2),
             mark, 1);
    cv::line(pic, cv::Point(x, header + th + 1),
             cv::Point(x, header + th + tick), mark, 1);
  }

  int y = header + full_h + tick + gap;
  cv::putText(pic,
              fmt::format("tiles ({:.2f} s each; {} leftover columns dropped)",
                          s.tile_seconds(),
                          spec.cols - static_cast<int>(tiles.size()) * tw),
              cv::Point(gap, y + 14), font, 0.5, text, 1, cv::LINE_AA);
  y += label;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const int r = static_cast<int>(i) / per_row;
    const int c = static_cast<int>(i) % per_row;
    const int x0 = gap + c * (tw + gap);
    const int y0 = y + r * (th + label + gap);
    cv::putText(pic,
                fmt::format("tile {}  {:.2f}-{:.2f} s", i, i * s.tile_seconds(),
                            (i + 1) * s.tile_seconds()),
                cv::Point(x0, y0 + 14), font, 0.45, text, 1, cv::LINE_AA);
    tiles[i].copyTo(pic(cv::Rect(x0, y0 + label, tw, th)));
  }
  return pic;
}

}  // namespace cratedig::dataset
