// Renders docs/genre-spectrograms.png: the spectrogram (dataset's own
// ComputeSpectrogram, default settings: 50 columns/s, 256 rows, 0..22 kHz)
// of the first 8 s of one generated track per genre, side by side.
//   genre_spectrograms [out.png] [seed]
#include <cstdio>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "config/dataset_settings.h"
#include "dataset/spectrogram.h"
#include "samplestore/catalogue.h"
#include "samplestore/synth.h"

using namespace cratedig;

int main(int argc, char** argv) {
  const std::string out = argc > 1 ? argv[1] : "docs/genre-spectrograms.png";
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 7;
  const double seconds = 8;
  const samplestore::Catalogue cat = samplestore::GenerateCatalogue(seed, 4);
  config::DatasetSettings s;
  const int cols = 5, label_h = 28, gap = 6;
  std::vector<cv::Mat> panels;
  for (const std::string& style : samplestore::SynthStyles()) {
    const samplestore::ReleaseTruth* rel = nullptr;
    for (const auto& r : cat.releases) {
      for (const auto& l : samplestore::StoreListings()) {
        if (l.slug == r.listing_slug && l.style == style && !rel) rel = &r;
      }
    }
    if (!rel) continue;
    const auto& t = rel->tracks[0];
    samplestore::StereoPcm pcm =
        samplestore::SynthesizeTrack(seed, style, t.store_id, t.bpm, seconds);
    std::vector<float> mono(pcm.frames());
    for (int i = 0; i < pcm.frames(); ++i) {
      mono[i] = 0.5f * (pcm.left[i] + pcm.right[i]);
    }
    cv::Mat spec = dataset::ComputeSpectrogram(mono, s);
    cv::Mat panel(spec.rows + label_h, spec.cols, CV_8UC1, cv::Scalar(255));
    spec.copyTo(panel(cv::Rect(0, label_h, spec.cols, spec.rows)));
    const std::string label =
        (style == "Techno" ? "Techno (unmapped)" : style) + "  " +
        std::to_string(static_cast<int>(t.bpm)) + " BPM";
    cv::putText(panel, label, {4, 20}, cv::FONT_HERSHEY_SIMPLEX, 0.55,
                cv::Scalar(0), 1, cv::LINE_AA);
    panels.push_back(panel);
  }
  if (panels.empty()) return 1;
  const int pw = panels[0].cols, ph = panels[0].rows;
  const int rows = (static_cast<int>(panels.size()) + cols - 1) / cols;
  cv::Mat sheet(rows * (ph + gap), cols * (pw + gap), CV_8UC1, cv::Scalar(255));
  for (size_t i = 0; i < panels.size(); ++i) {
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    panels[i].copyTo(sheet(cv::Rect(c * (pw + gap), r * (ph + gap), pw, ph)));
  }
  if (!cv::imwrite(out, sheet)) {
    std::fprintf(stderr, "cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("wrote %s (%dx%d)\n", out.c_str(), sheet.cols, sheet.rows);
  return 0;
}
