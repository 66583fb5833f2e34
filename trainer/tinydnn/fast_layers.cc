#include "trainer/tinydnn/fast_layers.h"

#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <thread>

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

std::atomic<int> g_workers{0};

// Runs fn(0..workers-1), worker 0 on the calling thread.
void RunWorkers(int workers, const std::function<void(int)>& fn) {
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(fn, w);
  fn(0);
  for (auto& t : threads) t.join();
}

// e^x - 1 for x <= 0, in plain arithmetic the compiler vectorizes: x =
// n ln2 + r with |r| <= ln2/2, e^r by its degree-6 Taylor polynomial
// (relative error < 3e-7), 2^n from the exponent bits. Below -87 it is -1
// (float's e^x underflows there anyway).
inline float ExpM1NonPositive(float x) {
  x = x < -87.0f ? -87.0f : x;
  const int n = static_cast<int>(x * 1.44269504f - 0.5f);  // round, x <= 0
  const float fn = static_cast<float>(n);
  const float r = (x - fn * 0.693359375f) + fn * 2.12194440e-4f;
  float p = 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const float scale = std::bit_cast<float>((n + 127) << 23);
  return p * scale - 1.0f;
}

// One output row of the forward pool: max over each 2x2 window of conv rows
// r0 and r1, + bias, ELU; a[px] = the window position that won (0..3, the
// first on ties). Columns [from, pool_w); the AVX2 version below does the
// bulk of a row and leaves the rest to this one.
void PoolEluRowScalar(const float* r0, const float* r1, int from, int pool_w,
                      float bias, float* o, uint8_t* a) {
  for (int px = from; px < pool_w; ++px) {
    const float v0 = r0[2 * px], v1 = r0[2 * px + 1];
    const float v2 = r1[2 * px], v3 = r1[2 * px + 1];
    const bool s01 = v1 > v0, s23 = v3 > v2;
    const float m01 = s01 ? v1 : v0, m23 = s23 ? v3 : v2;
    const bool s = m23 > m01;
    const float z = (s ? m23 : m01) + bias;
    o[px] = z > 0 ? z : ExpM1NonPositive(z);
    a[px] = static_cast<uint8_t>(s ? (s23 ? 3 : 2) : (s01 ? 1 : 0));
  }
}

// One output row of the backward pool: the ELU derivative from its output
// (1 above 0, else output + 1) times the incoming gradient, written to the
// window position that won, 0 to the other three (so dY needs no memset).
// Returns the row's sum (the bias gradient's share). Columns [from, pool_w).
float PoolEluRowBackScalar(const float* o, const float* g, const uint8_t* a,
                           int from, int pool_w, float* d0, float* d1) {
  float sum = 0;
  for (int px = from; px < pool_w; ++px) {
    const float d = g[px] * (o[px] > 0 ? 1.0f : o[px] + 1.0f);
    const int at = a[px];
    d0[2 * px] = at == 0 ? d : 0.0f;
    d0[2 * px + 1] = at == 1 ? d : 0.0f;
    d1[2 * px] = at == 2 ? d : 0.0f;
    d1[2 * px + 1] = at == 3 ? d : 0.0f;
    sum += d;
  }
  return sum;
}

// ---- AVX2 + FMA versions of the two rows, 8 outputs at a time ----
// (Measured: the scalar rows were ~40% of a training step; GCC does not
// vectorize them, the stride-2 window reads and the byte argmax defeat it.)

#define CRATEDIG_AVX2 __attribute__((target("avx2,fma")))

CRATEDIG_AVX2 inline __m256 ExpM1NonPositive8(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  const __m256i n = _mm256_cvttps_epi32(_mm256_sub_ps(
      _mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _mm256_set1_ps(0.5f)));
  const __m256 fn = _mm256_cvtepi32_ps(n);
  __m256 r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fmadd_ps(fn, _mm256_set1_ps(2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256 scale = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
  return _mm256_fmsub_ps(p, scale, _mm256_set1_ps(1.0f));
}

// Even and odd elements of p[0..15], each in order.
CRATEDIG_AVX2 inline void Deinterleave(const float* p, __m256* even,
                                       __m256* odd) {
  const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
  *even = _mm256_castpd_ps(_mm256_permute4x64_pd(
      _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
  *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(
      _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

// p[0..15] = a0 b0 a1 b1 ... a7 b7.
CRATEDIG_AVX2 inline void Interleave(__m256 a, __m256 b, float* p) {
  const __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b);
  _mm256_storeu_ps(p, _mm256_permute2f128_ps(lo, hi, 0x20));
  _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
}

// d where at == k, else 0.
CRATEDIG_AVX2 inline __m256 Pick(__m256 d, __m256i at, int k) {
  return _mm256_and_ps(
      d, _mm256_castsi256_ps(_mm256_cmpeq_epi32(at, _mm256_set1_epi32(k))));
}

CRATEDIG_AVX2 void PoolEluRowAvx2(const float* r0, const float* r1, int pool_w,
                                  float bias, float* o, uint8_t* a) {
  const __m256 vb = _mm256_set1_ps(bias), zero = _mm256_setzero_ps();
  const __m256i one = _mm256_set1_epi32(1), two = _mm256_set1_epi32(2);
  int px = 0;
  for (; px + 8 <= pool_w; px += 8) {
    __m256 v0, v1, v2, v3;
    Deinterleave(r0 + 2 * px, &v0, &v1);
    Deinterleave(r1 + 2 * px, &v2, &v3);
    const __m256 s01 = _mm256_cmp_ps(v1, v0, _CMP_GT_OQ);
    const __m256 s23 = _mm256_cmp_ps(v3, v2, _CMP_GT_OQ);
    const __m256 m01 = _mm256_blendv_ps(v0, v1, s01);
    const __m256 m23 = _mm256_blendv_ps(v2, v3, s23);
    const __m256 s = _mm256_cmp_ps(m23, m01, _CMP_GT_OQ);
    const __m256 z = _mm256_add_ps(_mm256_blendv_ps(m01, m23, s), vb);
    _mm256_storeu_ps(o + px,
                     _mm256_blendv_ps(ExpM1NonPositive8(z), z,
                                      _mm256_cmp_ps(z, zero, _CMP_GT_OQ)));
    const __m256i i01 = _mm256_and_si256(_mm256_castps_si256(s01), one);
    const __m256i i23 =
        _mm256_add_epi32(two, _mm256_and_si256(_mm256_castps_si256(s23), one));
    const __m256i idx = _mm256_blendv_epi8(i01, i23, _mm256_castps_si256(s));
    const __m256i w16 = _mm256_packs_epi32(idx, idx);
    const __m256i w8 = _mm256_packus_epi16(w16, w16);
    const uint32_t lo =
        static_cast<uint32_t>(_mm_cvtsi128_si32(_mm256_castsi256_si128(w8)));
    const uint32_t hi = static_cast<uint32_t>(
        _mm_cvtsi128_si32(_mm256_extracti128_si256(w8, 1)));
    std::memcpy(a + px, &lo, 4);
    std::memcpy(a + px + 4, &hi, 4);
  }
  PoolEluRowScalar(r0, r1, px, pool_w, bias, o, a);
}

CRATEDIG_AVX2 float PoolEluRowBackAvx2(const float* o, const float* g,
                                       const uint8_t* a, int pool_w, float* d0,
                                       float* d1) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  __m256 acc = zero;
  int px = 0;
  for (; px + 8 <= pool_w; px += 8) {
    const __m256 vo = _mm256_loadu_ps(o + px);
    const __m256 slope = _mm256_blendv_ps(_mm256_add_ps(vo, one), one,
                                          _mm256_cmp_ps(vo, zero, _CMP_GT_OQ));
    const __m256 d = _mm256_mul_ps(_mm256_loadu_ps(g + px), slope);
    acc = _mm256_add_ps(acc, d);
    const __m256i at = _mm256_cvtepu8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + px)));
    Interleave(Pick(d, at, 0), Pick(d, at, 1), d0 + 2 * px);
    Interleave(Pick(d, at, 2), Pick(d, at, 3), d1 + 2 * px);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
  float sum = 0;
  for (float v : lanes) sum += v;
  return sum + PoolEluRowBackScalar(o, g, a, px, pool_w, d0, d1);
}

const bool kHaveAvx2 =
    __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

void PoolEluRow(const float* r0, const float* r1, int pool_w, float bias,
                float* o, uint8_t* a) {
  if (kHaveAvx2) return PoolEluRowAvx2(r0, r1, pool_w, bias, o, a);
  PoolEluRowScalar(r0, r1, 0, pool_w, bias, o, a);
}

float PoolEluRowBack(const float* o, const float* g, const uint8_t* a,
                     int pool_w, float* d0, float* d1) {
  if (kHaveAvx2) return PoolEluRowBackAvx2(o, g, a, pool_w, d0, d1);
  return PoolEluRowBackScalar(o, g, a, 0, pool_w, d0, d1);
}

}  // namespace

void SetWorkers(int workers) {
  g_workers = std::max(1, workers);
  // Parallelism is across chunks (above); OpenBLAS's own threads would
  // only spin between the short GEMMs.
  openblas_set_num_threads(1);
}

int Workers() {
  int w = g_workers.load();
  if (w <= 0) {
    SetWorkers(static_cast<int>(std::thread::hardware_concurrency()));
    w = g_workers.load();
  }
  return w;
}

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

int ConvPoolEluLayer::ChunkSamples(int n) const {
  const int64_t per_sample = int64_t{out_c_} * conv_h_ * conv_w_;
  const int64_t by_memory = std::max<int64_t>(1, kChunkValues / per_sample);
  const int workers = Workers();
  const int64_t by_workers = (n + workers - 1) / workers;
  return static_cast<int>(
      std::max<int64_t>(1, std::min(by_memory, by_workers)));
}

void ConvPoolEluLayer::SpaceToDepth(const tensor_t& in, int s0, int s1,
                                    float* p) {
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int64_t cols = (s1 - s0) * hw;
  for (int s = 0; s < s1 - s0; ++s) {
    for (int c = 0; c < in_c_; ++c) {
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
    }
  }
}

void ConvPoolEluLayer::ForwardChunk(const tensor_t& in, const vec_t& w,
                                    const vec_t& b, tensor_t& out, int s0,
                                    int s1, float* y) {
  const int k = 4 * in_c_, f = out_c_;
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int64_t pw = int64_t{pool_h_} * pool_w_;
  const int64_t cols = (s1 - s0) * hw;
  float* p = patches_.data() + int64_t{s0} * k * hw;
  SpaceToDepth(in, s0, s1, p);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, f, cols, k, 1.0f,
              w.data(), k, p, cols, 0.0f, y, cols);
  // Max over each 2x2 window, + bias (max(y) + b == max(y + b)), ELU.
  for (int s = 0; s < s1 - s0; ++s) {
    for (int c = 0; c < f; ++c) {
      const float* yc = y + c * cols + s * hw;
      float* o = out[s0 + s].data() + c * pw;
      uint8_t* a = argmax_.data() + (int64_t{s0 + s} * f + c) * pw;
      for (int py = 0; py < pool_h_; ++py) {
        const float* r0 = yc + int64_t{2 * py} * conv_w_;
        PoolEluRow(r0, r0 + conv_w_, pool_w_, b[c], o + py * pool_w_,
                   a + py * pool_w_);
      }
    }
  }
}

void ConvPoolEluLayer::forward_propagation(
    const std::vector<tensor_t*>& in_data, std::vector<tensor_t*>& out_data) {
  const tensor_t& in = *in_data[0];
  const vec_t& w = (*in_data[1])[0];
  const vec_t& b = (*in_data[2])[0];
  tensor_t& out = *out_data[0];
  const int n = static_cast<int>(in.size());
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int chunk = ChunkSamples(n);
  const int chunks = (n + chunk - 1) / chunk;
  const int workers = std::min(Workers(), chunks);
  patches_.resize(static_cast<size_t>(4 * in_c_) * n * hw);
  argmax_.resize(static_cast<size_t>(n) * out_c_ * pool_h_ * pool_w_);
  y_.resize(workers);
  for (auto& y : y_) y.resize(static_cast<size_t>(out_c_) * chunk * hw);
  RunWorkers(workers, [&](int wk) {
    for (int ci = wk; ci < chunks; ci += workers) {
      ForwardChunk(in, w, b, out, ci * chunk, std::min(n, (ci + 1) * chunk),
                   y_[wk].data());
    }
  });
}

void ConvPoolEluLayer::BackwardChunk(const vec_t& w, const tensor_t& out,
                                     const tensor_t& dout, tensor_t& din,
                                     int s0, int s1, float* dy, float* dp,
                                     float* dw, double* db) {
  const int k = 4 * in_c_, f = out_c_;
  const int64_t hw = int64_t{conv_h_} * conv_w_;
  const int64_t pw = int64_t{pool_h_} * pool_w_;
  const int64_t cols = (s1 - s0) * hw;
  const float* p = patches_.data() + int64_t{s0} * k * hw;
  for (int s = 0; s < s1 - s0; ++s) {
    for (int c = 0; c < f; ++c) {
      float* dyc = dy + c * cols + s * hw;
      // A conv row or column no pool window covers (odd conv size) gets no
      // gradient; every other value is written below.
      if (conv_h_ % 2) {
        std::fill(dyc + int64_t{conv_h_ - 1} * conv_w_, dyc + hw, 0.0f);
      }
      if (conv_w_ % 2) {
        for (int r = 0; r < conv_h_; ++r)
          dyc[int64_t{r} * conv_w_ + conv_w_ - 1] = 0;
      }
      const float* o = out[s0 + s].data() + c * pw;
      const float* g = dout[s0 + s].data() + c * pw;
      const uint8_t* a = argmax_.data() + (int64_t{s0 + s} * f + c) * pw;
      double sum = 0;
      for (int py = 0; py < pool_h_; ++py) {
        float* d0 = dyc + int64_t{2 * py} * conv_w_;
        sum += PoolEluRowBack(o + py * pool_w_, g + py * pool_w_,
                              a + py * pool_w_, pool_w_, d0, d0 + conv_w_);
      }
      db[c] += sum;
    }
  }
  // dW += dY P^T (f x k), into this worker's partial sum.
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, f, k, cols, 1.0f, dy,
              cols, p, cols, 1.0f, dw, k);
  if (!input_gradient_) return;
  // dP = W^T dY (k x cols), then back from patches to pixels.
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, cols, f, 1.0f,
              w.data(), k, dy, cols, 0.0f, dp, cols);
  for (int s = 0; s < s1 - s0; ++s) {
    for (int c = 0; c < in_c_; ++c) {
      float* x = din[s0 + s].data() + int64_t{c} * in_h_ * in_w_;
      // Rows and columns the stride dropped get no gradient.
      if (in_h_ % 2) {
        std::fill(x + int64_t{in_h_ - 1} * in_w_, x + int64_t{in_h_} * in_w_,
                  0.0f);
      }
      if (in_w_ % 2) {
        for (int r = 0; r < in_h_; ++r) x[int64_t{r} * in_w_ + in_w_ - 1] = 0;
      }
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
    }
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
  const int chunk = ChunkSamples(n);
  const int chunks = (n + chunk - 1) / chunk;
  const int workers = std::min(Workers(), chunks);
  y_.resize(workers);
  dp_.resize(workers);
  dw_.resize(workers);
  db_.resize(workers);
  for (int wk = 0; wk < workers; ++wk) {
    y_[wk].resize(static_cast<size_t>(f) * chunk * hw);
    if (input_gradient_) dp_[wk].resize(static_cast<size_t>(k) * chunk * hw);
    dw_[wk].assign(static_cast<size_t>(f) * k, 0.0f);
    db_[wk].assign(f, 0.0);
  }
  RunWorkers(workers, [&](int wk) {
    for (int ci = wk; ci < chunks; ci += workers) {
      BackwardChunk(w, out, dout, din, ci * chunk,
                    std::min(n, (ci + 1) * chunk), y_[wk].data(),
                    input_gradient_ ? dp_[wk].data() : nullptr, dw_[wk].data(),
                    db_[wk].data());
    }
  });
  // The weight-gradient slot sums over the batch (set_sample_count).
  for (int wk = 0; wk < workers; ++wk) {
    for (size_t i = 0; i < dw.size(); ++i) dw[i] += dw_[wk][i];
    for (int c = 0; c < f; ++c) db[c] += static_cast<float>(db_[wk][c]);
  }
}

}  // namespace cratedig::trainer::tdnn
