#include "trainer/input_stats.h"

#include <algorithm>
#include <cmath>

namespace cratedig::trainer {

Result<RowStats> MeasureRowStats(const std::vector<TileItem>& items,
                                 LoaderOptions options) {
  options.shuffle = false;
  options.transform = nullptr;
  const int h = options.height, w = options.width;
  std::vector<double> sum(h, 0.0), sq(h, 0.0);
  int64_t tiles = 0;
  TileLoader loader(items, options);
  while (auto b = loader.Next()) {
    for (int i = 0; i < b->n; ++i) {
      const float* t = b->pixels.data() + static_cast<size_t>(i) * h * w;
      for (int r = 0; r < h; ++r) {
        double s = 0, q = 0;
        for (int c = 0; c < w; ++c) {
          const double v = t[static_cast<size_t>(r) * w + c];
          s += v;
          q += v * v;
        }
        sum[r] += s;
        sq[r] += q;
      }
    }
    tiles += b->n;
  }
  if (tiles == 0) {
    return Status::InvalidArgument("no tile decoded to measure statistics");
  }
  RowStats st;
  st.mean.resize(h);
  st.scale.resize(h);
  const double n = static_cast<double>(tiles) * w;
  for (int r = 0; r < h; ++r) {
    const double m = sum[r] / n;
    const double var = std::max(0.0, sq[r] / n - m * m);
    st.mean[r] = static_cast<float>(m);
    st.scale[r] = static_cast<float>(1.0 / std::max(std::sqrt(var), 0.05));
  }
  return st;
}

}  // namespace cratedig::trainer
