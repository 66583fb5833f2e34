#include "trainer/tinydnn/fast_layers.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cratedig::trainer::tdnn {

namespace {

using tiny_dnn::serial_size_t;
using tiny_dnn::shape3d;
using tiny_dnn::tensor_t;
using tiny_dnn::vec_t;
using tiny_dnn::vector_type;

// Conv output values per GEMM chunk (4 M floats, 16 MB): big enough for
// OpenBLAS to run at full speed, small enough to stay cheap in memory.
constexpr int64_t kChunkValues = int64_t{1} << 22;

}  // namespace

ConvPoolEluLayer::ConvPoolEluLayer(int in_w, int in_h, int in_c, int out_c,
                                   bool input_gradient)
    : tiny_dnn::layer(
          {vector_type::data, vector_type::weight, vector_type::bias},
          {vector_type::data}),
      in_w_(in_w),
      in_h_(in_h),
      in_c_(in_c),
      out_c_(out_c),
      conv_w_(in_w / 2),
      conv_h_(in_h / 2),
      pool_w_(in_w / 2 / 2),
      pool_h_(in_h / 2 / 2),
      input_gradient_(input_gradient) {
  if (pool_w_ < 1 || pool_h_ < 1 || in_c < 1 || out_c < 1) {
    throw tiny_dnn::nn_error("ConvPoolEluLayer: input too small");
  }
}

std::vector<shape3d> ConvPoolEluLayer::in_shape() const {
  return {shape3d(in_w_, in_h_, in_c_), shape3d(4 * in_c_, out_c_, 1),
          shape3d(1, 1, out_c_)};
}

std::vector<shape3d> ConvPoolEluLayer::out_shape() const {
  return {shape3d(pool_w_, pool_h_, out_c_)};
}

void ConvPoolEluLayer::set_sample_count(serial_size_t sample_count) {
  auto resize = [](tensor_t* t, size_t n) { t->resize(n, (*t)[0]); };
  auto in = inputs();
  auto out = outputs();
  resize(in[0]->get_data(), sample_count);
  resize(in[0]->get_gradient(), sample_count);
  resize(out[0]->get_data(), sample_count);
  resize(out[0]->get_gradient(), sample_count);
  for (int i = 1; i <= 2; ++i) in[i]->get_gradient()->resize(1);
}

int ConvPoolEluLayer::ChunkSamples() const {
  const int64_t per_sample = int64_t{out_c_} * conv_h_ * conv_w_;
  return static_cast<int>(std::max<int64_t>(1, kChunkValues / per_sample));
}

void ConvPoolEluLayer::SpaceToDepth(const tensor_t& in, int s0, int s1,
                                    float* p) {
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int64_t cols = (s1 - s0) * hw;
  tiny_dnn::for_i(parallelize_, (s1 - s0) * in_c_, [&](int t) {
    const int s = t / in_c_, c = t % in_c_;
    const float* x = in[s0 + s].data() + int64_t{c} * in_h_ * in_w_;
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        float* dst = p + (c * 4 + i * 2 + j) * cols + s * hw;
        for (int oy = 0; oy < conv_h_; ++oy) {
          const float* row = x + int64_t{2 * oy + i} * in_w_ + j;
          float* d = dst + int64_t{oy} * conv_w_;
          for (int ox = 0; ox < conv_w_; ++ox) d[ox] = row[2 * ox];
        }
      }
    }
  });
}

void ConvPoolEluLayer::forward_propagation(
    const std::vector<tensor_t*>& in_data, std::vector<tensor_t*>& out_data) {
  const tensor_t& in = *in_data[0];
  const vec_t& w = (*in_data[1])[0];
  const vec_t& b = (*in_data[2])[0];
  tensor_t& out = *out_data[0];
  const int n = static_cast<int>(in.size());
  const int k = 4 * in_c_, f = out_c_;
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int64_t pw = int64_t{pool_h_} * pool_w_;
  const int chunk = ChunkSamples();
  patches_.resize(static_cast<size_t>(k) * n * hw);
  argmax_.resize(static_cast<size_t>(n) * f * pw);
  scratch_.resize(static_cast<size_t>(f) * std::min(chunk, n) * hw);
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int s1 = std::min(n, s0 + chunk);
    const int64_t cols = (s1 - s0) * hw;
    float* p = patches_.data() + int64_t{s0} * k * hw;
    SpaceToDepth(in, s0, s1, p);
    float* y = scratch_.data();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, f, cols, k, 1.0f,
                w.data(), k, p, cols, 0.0f, y, cols);
    // Max over each 2x2 window, + bias (max(y) + b == max(y + b)), ELU.
    tiny_dnn::for_i(parallelize_, (s1 - s0) * f, [&](int t) {
      const int s = t / f, c = t % f;
      const float* yc = y + c * cols + s * hw;
      float* o = out[s0 + s].data() + c * pw;
      uint8_t* a = argmax_.data() + (int64_t{s0 + s} * f + c) * pw;
      const float bias = b[c];
      for (int py = 0; py < pool_h_; ++py) {
        const float* r0 = yc + int64_t{2 * py} * conv_w_;
        const float* r1 = r0 + conv_w_;
        for (int px = 0; px < pool_w_; ++px) {
          const float v[4] = {r0[2 * px], r0[2 * px + 1], r1[2 * px],
                              r1[2 * px + 1]};
          int best = 0;
          for (int q = 1; q < 4; ++q) {
            if (v[q] > v[best]) best = q;
          }
          const float z = v[best] + bias;
          o[py * pool_w_ + px] = z > 0 ? z : std::expm1(z);
          a[py * pool_w_ + px] = static_cast<uint8_t>(best);
        }
      }
    });
  }
}

void ConvPoolEluLayer::back_propagation(const std::vector<tensor_t*>& in_data,
                                        const std::vector<tensor_t*>& out_data,
                                        std::vector<tensor_t*>& out_grad,
                                        std::vector<tensor_t*>& in_grad) {
  const vec_t& w = (*in_data[1])[0];
  const tensor_t& out = *out_data[0];
  const tensor_t& dout = *out_grad[0];
  tensor_t& din = *in_grad[0];
  vec_t& dw = (*in_grad[1])[0];
  vec_t& db = (*in_grad[2])[0];
  const int n = static_cast<int>(out.size());
  const int k = 4 * in_c_, f = out_c_;
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int64_t pw = int64_t{pool_h_} * pool_w_;
  const int chunk = ChunkSamples();
  scratch_.resize(static_cast<size_t>(f) * std::min(chunk, n) * hw);
  if (input_gradient_) {
    scratch2_.resize(static_cast<size_t>(k) * std::min(chunk, n) * hw);
  }
  std::vector<double> bias_part(static_cast<size_t>(n) * f, 0.0);
  for (int s0 = 0; s0 < n; s0 += chunk) {
    const int s1 = std::min(n, s0 + chunk);
    const int64_t cols = (s1 - s0) * hw;
    const float* p = patches_.data() + int64_t{s0} * k * hw;
    float* dy = scratch_.data();
    std::memset(dy, 0, sizeof(float) * f * cols);
    // ELU's derivative from its output (1 above 0, else output + 1), routed
    // to the window position that won the max.
    tiny_dnn::for_i(parallelize_, (s1 - s0) * f, [&](int t) {
      const int s = t / f, c = t % f;
      float* dyc = dy + c * cols + s * hw;
      const float* o = out[s0 + s].data() + c * pw;
      const float* g = dout[s0 + s].data() + c * pw;
      const uint8_t* a = argmax_.data() + (int64_t{s0 + s} * f + c) * pw;
      double sum = 0;
      for (int py = 0; py < pool_h_; ++py) {
        for (int px = 0; px < pool_w_; ++px) {
          const int64_t q = py * pool_w_ + px;
          const float d = g[q] * (o[q] > 0 ? 1.0f : o[q] + 1.0f);
          const int at = a[q];
          dyc[int64_t{2 * py + (at >> 1)} * conv_w_ + 2 * px + (at & 1)] = d;
          sum += d;
        }
      }
      bias_part[static_cast<size_t>(s0 + s) * f + c] = sum;
    });
    // dW += dY P^T (f x k); the slot sums over the batch (set_sample_count).
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, f, k, cols, 1.0f, dy,
                cols, p, cols, 1.0f, dw.data(), k);
    if (!input_gradient_) continue;
    // dP = W^T dY (k x cols), then back from patches to pixels.
    float* dp = scratch2_.data();
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, cols, f, 1.0f,
                w.data(), k, dy, cols, 0.0f, dp, cols);
    tiny_dnn::for_i(parallelize_, (s1 - s0) * in_c_, [&](int t) {
      const int s = t / in_c_, c = t % in_c_;
      float* x = din[s0 + s].data() + int64_t{c} * in_h_ * in_w_;
      // Rows and columns the stride dropped get no gradient.
      std::fill(x, x + int64_t{in_h_} * in_w_, 0.0f);
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
          const float* src = dp + (c * 4 + i * 2 + j) * cols + s * hw;
          for (int oy = 0; oy < conv_h_; ++oy) {
            float* row = x + int64_t{2 * oy + i} * in_w_ + j;
            const float* sr = src + int64_t{oy} * conv_w_;
            for (int ox = 0; ox < conv_w_; ++ox) row[2 * ox] = sr[ox];
          }
        }
      }
    });
  }
  for (int c = 0; c < f; ++c) {
    double sum = 0;
    for (int s = 0; s < n; ++s)
      sum += bias_part[static_cast<size_t>(s) * f + c];
    db[c] += static_cast<float>(sum);
  }
}

}  // namespace cratedig::trainer::tdnn
