#include "trainer/embedder.h"

#include "trainer/embed.h"
#include "trainer/run_model.h"
#include "trainer/runtime.h"

namespace cratedig::trainer {

struct Embedder::Impl {
  std::unique_ptr<Model> model;
  std::string dataset_hash;
  int batch_size = 128;
  bool l2_mean = false;  // TrainSettings::aggregate
};

Embedder::Embedder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Embedder::~Embedder() = default;

Result<std::unique_ptr<Embedder>> Embedder::Open(db::Database& db,
                                                 int64_t run_id, int threads) {
  TuneRuntime(threads);
  CRATEDIG_ASSIGN_OR_RETURN(OpenedRun o, OpenRun(db, run_id));
  auto impl = std::make_unique<Impl>();
  impl->model = std::move(o.model);
  impl->dataset_hash = o.dataset.hash;
  impl->batch_size = o.settings.eval_batch_size;
  impl->l2_mean = o.settings.aggregate == "l2_mean";
  return std::unique_ptr<Embedder>(new Embedder(std::move(impl)));
}

Result<std::vector<std::vector<float>>> Embedder::EmbedTiles(
    const std::vector<cv::Mat>& tiles) {
  Model& m = *impl_->model;
  const int h = m.height(), w = m.width(), d = Model::embedding_dim();
  const size_t px = static_cast<size_t>(h) * w;
  std::vector<std::vector<float>> out;
  out.reserve(tiles.size());
  std::vector<float> x, emb;
  for (size_t start = 0; start < tiles.size(); start += impl_->batch_size) {
    const size_t n =
        std::min(tiles.size() - start, static_cast<size_t>(impl_->batch_size));
    x.resize(px * n);
    for (size_t i = 0; i < n; ++i) {
      const cv::Mat& t = tiles[start + i];
      if (t.type() != CV_8UC1 || t.rows != h || t.cols != w) {
        return Status::InvalidArgument("tile " + std::to_string(start + i) +
                                       " is not a " + std::to_string(h) + "x" +
                                       std::to_string(w) + " CV_8UC1 image");
      }
      float* dst = x.data() + px * i;
      for (int r = 0; r < h; ++r) {
        const uint8_t* src = t.ptr<uint8_t>(r);
        for (int c = 0; c < w; ++c) *dst++ = src[c] * (1.0f / 255.0f);
      }
    }
    CRATEDIG_RETURN_IF_ERROR(
        m.Forward(x.data(), static_cast<int>(n), nullptr, &emb));
    for (size_t i = 0; i < n; ++i) {
      out.emplace_back(emb.begin() + i * d, emb.begin() + (i + 1) * d);
    }
  }
  return out;
}

Result<std::vector<float>> Embedder::EmbedTrack(
    const std::vector<cv::Mat>& tiles) {
  if (tiles.empty()) return Status::InvalidArgument("a track with no tiles");
  CRATEDIG_ASSIGN_OR_RETURN(auto per_tile, EmbedTiles(tiles));
  std::vector<double> sum(Model::embedding_dim(), 0.0);
  for (const auto& v : per_tile) {
    const double w =
        impl_->l2_mean ? TileWeight(v.data(), static_cast<int>(v.size())) : 1.0;
    for (size_t j = 0; j < v.size(); ++j) sum[j] += w * v[j];
  }
  std::vector<float> out(sum.size());
  for (size_t j = 0; j < sum.size(); ++j) {
    out[j] = static_cast<float>(sum[j] / per_tile.size());
  }
  return out;
}

const std::string& Embedder::dataset_hash() const {
  return impl_->dataset_hash;
}

}  // namespace cratedig::trainer
