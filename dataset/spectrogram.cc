#include "dataset/spectrogram.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

namespace cratedig::dataset {

namespace {

// FFTW's planner (and plan destruction) is not thread-safe; executing a plan
// is. Every plan is made and destroyed under this lock.
std::mutex& FftwMutex() {
  static std::mutex m;
  return m;
}

// One thread's r2c plan of one size, with its own aligned buffers.
class R2cPlan {
 public:
  explicit R2cPlan(int n) : n_(n) {
    in_ = fftwf_alloc_real(static_cast<size_t>(n));
    out_ = fftwf_alloc_complex(static_cast<size_t>(n) / 2 + 1);
    std::lock_guard<std::mutex> lock(FftwMutex());
    // ESTIMATE: no timing runs, so plans (and pixels) are the same on every
    // run; at these sizes MEASURE gains nothing that matters.
    plan_ = fftwf_plan_dft_r2c_1d(n, in_, out_, FFTW_ESTIMATE);
  }
  ~R2cPlan() {
    std::lock_guard<std::mutex> lock(FftwMutex());
    fftwf_destroy_plan(plan_);
    fftwf_free(in_);
    fftwf_free(out_);
  }
  R2cPlan(const R2cPlan&) = delete;
  R2cPlan& operator=(const R2cPlan&) = delete;

  float* in() { return in_; }
  const fftwf_complex* out() const { return out_; }
  void Execute() { fftwf_execute(plan_); }

 private:
  int n_;
  float* in_;
  fftwf_complex* out_;
  fftwf_plan plan_;
};

R2cPlan& ThreadPlan(int n) {
  thread_local std::map<int, std::unique_ptr<R2cPlan>> plans;
  auto& p = plans[n];
  if (!p) p = std::make_unique<R2cPlan>(n);
  return *p;
}

// Periodic Hann window: w[i] = 0.5 - 0.5 cos(2 pi i / n).
const std::vector<float>& HannWindow(int n) {
  thread_local std::map<int, std::vector<float>> windows;
  auto& w = windows[n];
  if (w.empty()) {
    w.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      w[static_cast<size_t>(i)] =
          static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / n));
    }
  }
  return w;
}

double HzToMel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double MelToHz(double mel) {
  return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
}

// How the power of FFT bins 0..fft/2-1 is summed into each row. Band i is
// counted from the bottom (0 Hz).
struct Band {
  int first_bin = 0;
  std::vector<float> weights;  // for bins first_bin, first_bin+1, ...
  double center_hz = 0;
};

std::vector<Band> MakeBands(const config::DatasetSettings& s) {
  const int bins = s.fft_size / 2;  // the Nyquist bin is dropped
  const int h = s.height;
  const double bin_hz = static_cast<double>(s.sample_rate) / s.fft_size;
  std::vector<Band> bands(static_cast<size_t>(h));
  if (!s.mel()) {
    for (int i = 0; i < h; ++i) {
      int lo = static_cast<int>(static_cast<int64_t>(i) * bins / h);
      int hi = static_cast<int>(static_cast<int64_t>(i + 1) * bins / h);
      Band& b = bands[static_cast<size_t>(i)];
      b.first_bin = lo;
      b.weights.assign(static_cast<size_t>(std::max(1, hi - lo)), 1.0f);
      b.center_hz = (lo + std::max(lo, hi - 1)) / 2.0 * bin_hz;
    }
    return bands;
  }
  const double nyquist = s.sample_rate / 2.0;
  const double fmax = s.mel_fmax > 0 ? s.mel_fmax : nyquist;
  const double mlo = HzToMel(s.mel_fmin), mhi = HzToMel(fmax);
  auto edge = [&](int j) { return MelToHz(mlo + (mhi - mlo) * j / (h + 1)); };
  for (int i = 0; i < h; ++i) {
    const double left = edge(i), center = edge(i + 1), right = edge(i + 2);
    Band& b = bands[static_cast<size_t>(i)];
    b.center_hz = center;
    int k0 = std::max(0, static_cast<int>(std::ceil(left / bin_hz)));
    int k1 = std::min(bins - 1, static_cast<int>(std::floor(right / bin_hz)));
    std::vector<float> w;
    int first = -1;
    for (int k = k0; k <= k1; ++k) {
      const double f = k * bin_hz;
      double v = f <= center ? (f - left) / std::max(center - left, 1e-9)
                             : (right - f) / std::max(right - center, 1e-9);
      if (v <= 0) {
        if (first >= 0) w.push_back(0.0f);
        continue;
      }
      if (first < 0) first = k;
      w.push_back(static_cast<float>(std::min(v, 1.0)));
    }
    while (!w.empty() && w.back() == 0.0f) w.pop_back();
    if (first < 0) {
      // A band narrower than one bin (low mel bands, small FFTs): take the
      // bin nearest its centre so no row is blank.
      first = std::clamp(static_cast<int>(std::lround(center / bin_hz)), 0,
                         bins - 1);
      w.assign(1, 1.0f);
    }
    b.first_bin = first;
    b.weights = std::move(w);
  }
  return bands;
}

const std::vector<Band>& CachedBands(const config::DatasetSettings& s) {
  // Keyed by everything MakeBands reads; a thread usually sees one key.
  struct Key {
    int fft, h, rate;
    bool mel;
    double fmin, fmax;
    bool operator==(const Key&) const = default;
  };
  thread_local Key key{0, 0, 0, false, 0, 0};
  thread_local std::vector<Band> bands;
  Key k{s.fft_size, s.height, s.sample_rate, s.mel(), s.mel_fmin, s.mel_fmax};
  if (bands.empty() || !(k == key)) {
    bands = MakeBands(s);
    key = k;
  }
  return bands;
}

}  // namespace

double RowCenterHz(int row, const config::DatasetSettings& s) {
  const auto& bands = MakeBands(s);
  int i = s.height - 1 - row;
  if (i < 0 || i >= s.height) return -1;
  return bands[static_cast<size_t>(i)].center_hz;
}

cv::Mat ComputeSpectrogram(const std::vector<float>& samples,
                           const config::DatasetSettings& s) {
  const int n = s.fft_size;
  const int h = s.height;
  const double hop = s.hop_samples();
  const int64_t total = static_cast<int64_t>(samples.size());
  const int cols =
      static_cast<int>(std::floor(static_cast<double>(total) / hop + 1e-9));
  if (cols <= 0) return cv::Mat(h, 0, CV_8UC1);
  cv::Mat img(h, cols, CV_8UC1);

  R2cPlan& plan = ThreadPlan(n);
  const std::vector<float>& win = HannWindow(n);
  const std::vector<Band>& bands = CachedBands(s);
  const int bins = n / 2;

  // |X|^2 of a full-scale sine at a bin centre is (sum(w) / 2)^2.
  double wsum = 0;
  for (float w : win) wsum += w;
  const float power_norm = static_cast<float>(4.0 / (wsum * wsum));
  const float range = static_cast<float>(s.dynamic_range_db);
  const float scale = 255.0f / range;
  std::vector<float> power(static_cast<size_t>(bins));
  float* in = plan.in();
  const fftwf_complex* out = plan.out();

  for (int c = 0; c < cols; ++c) {
    const int64_t start =
        static_cast<int64_t>(std::llround((c + 0.5) * hop)) - n / 2;
    if (start >= 0 && start + n <= total) {
      const float* x = samples.data() + start;
      for (int i = 0; i < n; ++i) in[i] = x[i] * win[static_cast<size_t>(i)];
    } else {
      for (int i = 0; i < n; ++i) {
        const int64_t j = start + i;
        in[i] = (j >= 0 && j < total) ? samples[static_cast<size_t>(j)] *
                                            win[static_cast<size_t>(i)]
                                      : 0.0f;
      }
    }
    plan.Execute();
    for (int k = 0; k < bins; ++k) {
      power[static_cast<size_t>(k)] =
          (out[k][0] * out[k][0] + out[k][1] * out[k][1]) * power_norm;
    }
    for (int i = 0; i < h; ++i) {
      const Band& b = bands[static_cast<size_t>(i)];
      float p = 0;
      const float* pw = power.data() + b.first_bin;
      for (size_t j = 0; j < b.weights.size(); ++j) p += pw[j] * b.weights[j];
      // 1e-30 keeps log10 finite in digital silence (far below the range).
      const float db = 10.0f * std::log10(p + 1e-30f);
      const float v = std::clamp((db + range) * scale, 0.0f, 255.0f);
      img.at<uint8_t>(h - 1 - i, c) = static_cast<uint8_t>(std::lround(v));
    }
  }
  return img;
}

}  // namespace cratedig::dataset
