#include "recommender/pca.h"

#include <cmath>

namespace cratedig::recommender {

std::vector<float> PcaProject(const float* data, size_t n, int dim,
                              int components) {
  std::vector<float> out(n * components, 0.0f);
  if (n < 2 || dim <= 0 || components <= 0) return out;
  std::vector<double> mean(dim, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (int d = 0; d < dim; ++d) mean[d] += data[i * dim + d];
  }
  for (double& m : mean) m /= static_cast<double>(n);
  // Covariance (dim x dim); dim is small (128) so this is cheap.
  std::vector<double> cov(static_cast<size_t>(dim) * dim, 0.0);
  std::vector<double> x(dim);
  for (size_t i = 0; i < n; ++i) {
    for (int d = 0; d < dim; ++d) x[d] = data[i * dim + d] - mean[d];
    for (int a = 0; a < dim; ++a) {
      const double xa = x[a];
      double* row = &cov[static_cast<size_t>(a) * dim];
      for (int b = a; b < dim; ++b) row[b] += xa * x[b];
    }
  }
  for (int a = 0; a < dim; ++a) {
    for (int b = a; b < dim; ++b) {
      cov[static_cast<size_t>(a) * dim + b] /= static_cast<double>(n - 1);
      cov[static_cast<size_t>(b) * dim + a] =
          cov[static_cast<size_t>(a) * dim + b];
    }
  }
  std::vector<std::vector<double>> axes;
  for (int c = 0; c < components && c < dim; ++c) {
    // Deterministic start, not orthogonal to typical leading axes.
    std::vector<double> v(dim), w(dim);
    for (int d = 0; d < dim; ++d) v[d] = 1.0 + 0.01 * d;
    double lambda = 0;
    for (int it = 0; it < 500; ++it) {
      for (int a = 0; a < dim; ++a) {
        double s = 0;
        for (int b = 0; b < dim; ++b)
          s += cov[static_cast<size_t>(a) * dim + b] * v[b];
        w[a] = s;
      }
      // Deflate: remove the axes already found.
      for (const auto& u : axes) {
        double dot = 0;
        for (int d = 0; d < dim; ++d) dot += w[d] * u[d];
        for (int d = 0; d < dim; ++d) w[d] -= dot * u[d];
      }
      double norm = 0;
      for (double e : w) norm += e * e;
      norm = std::sqrt(norm);
      if (norm < 1e-300) break;
      double change = 0;
      for (int d = 0; d < dim; ++d) {
        double nv = w[d] / norm;
        change += std::fabs(nv - v[d]);
        v[d] = nv;
      }
      lambda = norm;
      if (change < 1e-10) break;
    }
    if (lambda < 1e-300) {
      v.assign(dim, 0.0);
    } else {
      int arg = 0;
      for (int d = 1; d < dim; ++d) {
        if (std::fabs(v[d]) > std::fabs(v[arg])) arg = d;
      }
      if (v[arg] < 0) {
        for (double& e : v) e = -e;
      }
    }
    axes.push_back(v);
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < axes.size(); ++c) {
      double s = 0;
      for (int d = 0; d < dim; ++d)
        s += (data[i * dim + d] - mean[d]) * axes[c][d];
      out[i * components + c] = static_cast<float>(s);
    }
  }
  return out;
}

}  // namespace cratedig::recommender
