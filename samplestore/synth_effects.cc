#include "samplestore/synth_effects.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace cratedig::samplestore::synth {
namespace {

struct Comb {
  std::vector<float> buf;
  int pos = 0;
  float store = 0;
  float Run(float x, float fb, float damp) {
    float y = buf[pos];
    store = y * (1 - damp) + store * damp;
    buf[pos] = x + store * fb;
    if (++pos == static_cast<int>(buf.size())) pos = 0;
    return y;
  }
};
struct Allpass {
  std::vector<float> buf;
  int pos = 0;
  float Run(float x) {
    float b = buf[pos];
    buf[pos] = x + b * 0.5f;
    if (++pos == static_cast<int>(buf.size())) pos = 0;
    return b - x;
  }
};

}  // namespace

void Reverb(Mix& m, double size, double damp, double wet) {
  static const int kCombs[] = {1116, 1188, 1277, 1356};
  std::vector<Comb> combs;
  for (int c : kCombs) combs.push_back({std::vector<float>(c), 0, 0});
  std::vector<Allpass> apl, apr;
  for (int a : {556, 441}) {
    apl.push_back({std::vector<float>(a), 0});
    apr.push_back({std::vector<float>(a + 23), 0});
  }
  const float fb = static_cast<float>(0.7 + 0.28 * size);
  const float dm = static_cast<float>(damp);
  const float w = static_cast<float>(wet * 0.25);
  for (int i = 0; i < m.n; ++i) {
    const float x = (m.send.l[i] + m.send.r[i]) * 0.25f;
    float y = 0;
    for (auto& c : combs) y += c.Run(x, fb, dm);
    float yl = y, yr = y;
    for (auto& a : apl) yl = a.Run(yl);
    for (auto& a : apr) yr = a.Run(yr);
    m.dry.l[i] += yl * w;
    m.dry.r[i] += yr * w;
  }
}

void Echo(Mix& m, double seconds, double feedback, double wet) {
  const int d = std::max(1, static_cast<int>(seconds * kSr));
  std::vector<float> bl(d), br(d);
  int pos = 0;
  const float fb = static_cast<float>(feedback), w = static_cast<float>(wet);
  for (int i = 0; i < m.n; ++i) {
    const float yl = bl[pos], yr = br[pos];
    bl[pos] = (m.send.l[i] + m.send.r[i]) * 0.5f + yr * fb;
    br[pos] = yl * fb;
    if (++pos == d) pos = 0;
    m.dry.l[i] += yl * w;
    m.dry.r[i] += yr * w;
  }
}

StereoPcm Master(Mix& m, double tone_fc, double target_rms) {
  const double a = 1 - std::exp(-2 * kPi * tone_fc / kSr);
  double zl = 0, zr = 0, sumsq = 0;
  for (int i = 0; i < m.n; ++i) {
    zl += a * (m.dry.l[i] - zl);
    zr += a * (m.dry.r[i] - zr);
    m.dry.l[i] = static_cast<float>(zl);
    m.dry.r[i] = static_cast<float>(zr);
    sumsq += zl * zl + zr * zr;
  }
  const double rms = std::sqrt(sumsq / (2.0 * m.n)) + 1e-9;
  const float gain = static_cast<float>(target_rms / rms);
  float peak = 1e-6f;
  for (int i = 0; i < m.n; ++i) {
    m.dry.l[i] = SoftClip(m.dry.l[i] * gain);
    m.dry.r[i] = SoftClip(m.dry.r[i] * gain);
    peak = std::max({peak, std::fabs(m.dry.l[i]), std::fabs(m.dry.r[i])});
  }
  const float norm = peak > 0.95f ? 0.95f / peak : 1.f;
  StereoPcm out;
  out.left = std::move(m.dry.l);
  out.right = std::move(m.dry.r);
  for (int i = 0; i < m.n; ++i) {
    out.left[i] *= norm;
    out.right[i] *= norm;
  }
  return out;
}

}  // namespace cratedig::samplestore::synth
