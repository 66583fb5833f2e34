#include "trainer/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/files.h"
#include "core/json.h"

namespace cratedig::trainer {

namespace {

int Argmax(const double* v, size_t n) {
  return static_cast<int>(std::max_element(v, v + n) - v);
}

std::string Pct(int64_t num, int64_t den) {
  return den ? fmt::format("{:.0f}%", 100.0 * num / den) : "-";
}

json::Json MatrixJson(const std::vector<std::vector<int64_t>>& m) {
  json::Json out = json::Json::array();
  for (const auto& row : m) {
    json::Json r = json::Json::array();
    for (int64_t v : row) r.push_back(v);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

EvalAccumulator::EvalAccumulator(std::vector<std::string> genres)
    : genres_(std::move(genres)),
      tile_confusion_(genres_.size(), std::vector<int64_t>(genres_.size(), 0)) {
}

void EvalAccumulator::Add(int64_t track_id, int label, const float* probs) {
  const size_t k = genres_.size();
  Track& t = tracks_[track_id];
  if (t.sum.empty()) {
    t.sum.assign(k, 0.0);
    t.label = label;
  }
  std::vector<double> p(probs, probs + k);
  for (size_t i = 0; i < k; ++i) t.sum[i] += p[i];
  ++tile_confusion_[label][Argmax(p.data(), k)];
}

Evaluation EvalAccumulator::Finish() const {
  const size_t k = genres_.size();
  Evaluation e;
  e.genres = genres_;
  e.per_genre.resize(k);
  for (size_t g = 0; g < k; ++g) e.per_genre[g].genre = genres_[g];
  e.confusion.assign(k, std::vector<int64_t>(k, 0));
  e.tile_confusion = tile_confusion_;
  for (size_t t = 0; t < k; ++t) {
    for (size_t p = 0; p < k; ++p) {
      const int64_t n = tile_confusion_[t][p];
      e.tiles += n;
      e.per_genre[t].tiles += n;
      if (t == p) {
        e.tiles_right += n;
        e.per_genre[t].tiles_right += n;
      }
    }
  }
  for (const auto& [id, tr] : tracks_) {
    const int pred = Argmax(tr.sum.data(), k);
    ++e.confusion[tr.label][pred];
    ++e.tracks;
    ++e.per_genre[tr.label].tracks;
    if (pred == tr.label) {
      ++e.tracks_right;
      ++e.per_genre[tr.label].tracks_right;
    }
  }
  return e;
}

std::string Evaluation::ResultLine() const {
  std::vector<const GenreResult*> order;
  for (const auto& g : per_genre) {
    if (g.tracks > 0) order.push_back(&g);
  }
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return a->tracks_right * b->tracks > b->tracks_right * a->tracks;
  });
  std::string out = fmt::format(
      "Result: {:.1f}% of {} {} tracks right (tile softmax summed "
      "per track)",
      100.0 * track_accuracy(), tracks, split);
  for (size_t i = 0; i < order.size(); ++i) {
    out += fmt::format("{} {} {}", i ? "," : ":", order[i]->genre,
                       Pct(order[i]->tracks_right, order[i]->tracks));
  }
  return out;
}

std::string Evaluation::GenreTable() const {
  std::string out =
      fmt::format("{:<16} {:>7} {:>6} {:>9} {:>7} {:>9}\n", "genre", "tracks",
                  "right", "track acc", "tiles", "tile acc");
  for (const auto& g : per_genre) {
    out += fmt::format("{:<16} {:>7} {:>6} {:>9} {:>7} {:>9}\n", g.genre,
                       g.tracks, g.tracks_right, Pct(g.tracks_right, g.tracks),
                       g.tiles, Pct(g.tiles_right, g.tiles));
  }
  out += fmt::format("{:<16} {:>7} {:>6} {:>9} {:>7} {:>9}\n", "all", tracks,
                     tracks_right,
                     fmt::format("{:.1f}%", 100.0 * track_accuracy()), tiles,
                     fmt::format("{:.1f}%", 100.0 * tile_accuracy()));
  return out;
}

std::string Evaluation::ConfusionText() const {
  // Rows: true genre; columns: predicted, numbered like the rows.
  std::string out = fmt::format("{:<19}", "true \\ predicted");
  for (size_t c = 0; c < genres.size(); ++c)
    out += fmt::format(" {:>4}", c + 1);
  out += "\n";
  for (size_t r = 0; r < genres.size(); ++r) {
    out += fmt::format("{:>2} {:<16}", r + 1, genres[r]);
    for (size_t c = 0; c < genres.size(); ++c) {
      out += fmt::format(" {:>4}", confusion[r][c]);
    }
    out += "\n";
  }
  return out;
}

json::Json Evaluation::ToJson() const {
  json::Json per = json::Json::array();
  for (const auto& x : per_genre) {
    per.push_back(json::Json(
        {{"genre", x.genre},
         {"tracks", x.tracks},
         {"tracks_right", x.tracks_right},
         {"track_accuracy", x.tracks ? double(x.tracks_right) / x.tracks : 0},
         {"tiles", x.tiles},
         {"tiles_right", x.tiles_right},
         {"tile_accuracy", x.tiles ? double(x.tiles_right) / x.tiles : 0}}));
  }
  json::Json names = json::Json::array();
  for (const auto& g : genres) names.push_back(g);
  return json::Json({{"split", split},
                     {"dataset", dataset_hash},
                     {"tile_accuracy", tile_accuracy()},
                     {"track_accuracy", track_accuracy()},
                     {"tiles", tiles},
                     {"tracks", tracks},
                     {"corrupt_tiles", corrupt_tiles},
                     {"genres", std::move(names)},
                     {"per_genre", std::move(per)},
                     {"confusion", MatrixJson(confusion)},
                     {"tile_confusion", MatrixJson(tile_confusion)},
                     {"confusion_png", heatmap_path}});
}

Status WriteConfusionPng(const Evaluation& e, const std::string& path) {
  const int k = static_cast<int>(e.genres.size());
  const int cell = 56, left = 170, top = 60, right = 20, bottom = 20;
  cv::Mat img(top + k * cell + bottom, left + k * cell + right, CV_8UC3,
              cv::Scalar(255, 255, 255));
  // Row-normalised rates mapped through a colour map.
  cv::Mat rates(k, k, CV_8UC1, cv::Scalar(0));
  for (int r = 0; r < k; ++r) {
    int64_t sum = 0;
    for (int c = 0; c < k; ++c) sum += e.confusion[r][c];
    for (int c = 0; c < k; ++c) {
      rates.at<uint8_t>(r, c) = static_cast<uint8_t>(
          sum ? std::lround(255.0 * e.confusion[r][c] / sum) : 0);
    }
  }
  cv::Mat colours;
  cv::applyColorMap(rates, colours, cv::COLORMAP_VIRIDIS);
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  for (int r = 0; r < k; ++r) {
    for (int c = 0; c < k; ++c) {
      cv::Rect box(left + c * cell, top + r * cell, cell, cell);
      cv::Vec3b col = colours.at<cv::Vec3b>(r, c);
      cv::rectangle(img, box, cv::Scalar(col[0], col[1], col[2]), cv::FILLED);
      cv::rectangle(img, box, cv::Scalar(255, 255, 255), 1);
      const std::string n = std::to_string(e.confusion[r][c]);
      const cv::Scalar ink = rates.at<uint8_t>(r, c) > 150
                                 ? cv::Scalar(0, 0, 0)
                                 : cv::Scalar(255, 255, 255);
      cv::putText(img, n,
                  cv::Point(box.x + cell / 2 - 6 * static_cast<int>(n.size()),
                            box.y + cell / 2 + 6),
                  font, 0.5, ink, 1, cv::LINE_AA);
    }
    cv::putText(img, fmt::format("{} {}", r + 1, e.genres[r]),
                cv::Point(6, top + r * cell + cell / 2 + 5), font, 0.45,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    cv::putText(img, std::to_string(r + 1),
                cv::Point(left + r * cell + cell / 2 - 5, top - 10), font, 0.5,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  cv::putText(img,
              fmt::format("tracks: rows true, columns predicted ({:.1f}%)",
                          100.0 * e.track_accuracy()),
              cv::Point(6, 22), font, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  std::vector<uint8_t> png;
  if (!cv::imencode(".png", img, png)) {
    return Status::Internal("cannot encode the confusion matrix PNG");
  }
  return WriteFileAtomic(
      path,
      std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

}  // namespace cratedig::trainer
