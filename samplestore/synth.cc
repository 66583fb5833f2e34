#include "samplestore/synth.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "samplestore/rng.h"

namespace cratedig::samplestore {

const std::vector<std::string>& SynthStyles() {
  static const std::vector<std::string> kStyles = {
      "Breakbeat",   "Dancehall",     "Downtempo",     "Drum and Bass",
      "Funky House", "Hip Hop / R&B", "Minimal House", "Rock/Indie",
      "Trance",      "Techno"};
  return kStyles;
}

namespace {

constexpr double kSr = kSampleRate;
constexpr double kPi = 3.141592653589793;
constexpr int kTable = 8192;

// One sine period; phases are in cycles [0, 1).
std::array<float, kTable> MakeSineTable() {
  std::array<float, kTable> a{};
  for (int i = 0; i < kTable; ++i) {
    a[i] = static_cast<float>(std::sin(2 * kPi * i / kTable));
  }
  return a;
}
const std::array<float, kTable> kSine = MakeSineTable();

// Phases past 1 wrap through the mask, so Sin(ph * 2) is the octave.
inline float Sin(double ph) {
  return kSine[static_cast<int>(ph * kTable) & (kTable - 1)];
}
inline void Advance(double& ph, double inc) {
  ph += inc;
  if (ph >= 1.0) ph -= std::floor(ph);
}
inline float Saw(double ph) { return static_cast<float>(2.0 * ph - 1.0); }
inline float Square(double ph, double pw = 0.5) { return ph < pw ? 1.f : -1.f; }
inline float Tri(double ph) {
  return static_cast<float>(ph < 0.5 ? 4 * ph - 1 : 3 - 4 * ph);
}
inline float SoftClip(float x) {
  x = std::clamp(x, -3.f, 3.f);
  return x * (27 + x * x) / (27 + 9 * x * x);
}
inline double MidiHz(double m) { return 440.0 * std::pow(2.0, (m - 69) / 12); }

// xorshift32 noise in [-1, 1).
struct Noise {
  uint32_t s;
  explicit Noise(uint64_t seed) : s(static_cast<uint32_t>(Mix64(seed)) | 1u) {}
  float Next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return static_cast<int32_t>(s) * (1.0f / 2147483648.0f);
  }
};

// State-variable filter (trapezoidal); Set() may be called per block.
struct Svf {
  float a1 = 0, a2 = 0, a3 = 0, k = 1, ic1 = 0, ic2 = 0;
  float low = 0, band = 0, high = 0;
  void Set(double fc, double q) {
    fc = std::clamp(fc, 20.0, kSr * 0.45);
    const double g = std::tan(kPi * fc / kSr);
    k = static_cast<float>(1.0 / q);
    a1 = static_cast<float>(1.0 / (1.0 + g * (g + k)));
    a2 = static_cast<float>(g * a1);
    a3 = static_cast<float>(g * a2);
  }
  void Run(float x) {
    const float v3 = x - ic2;
    const float v1 = a1 * ic1 + a2 * v3;
    const float v2 = ic2 + a2 * ic1 + a3 * v3;
    ic1 = 2 * v1 - ic1;
    ic2 = 2 * v2 - ic2;
    low = v2;
    band = v1;
    high = x - k * v1 - v2;
  }
};

struct Bus {
  std::vector<float> l, r;
};

// The mix being built: dry signal and an effects send.
struct Mix {
  int n = 0;
  Bus dry, send;
  void Put(int i, float x, float gl, float gr, float send_amt) {
    dry.l[i] += x * gl;
    dry.r[i] += x * gr;
    if (send_amt > 0) {
      send.l[i] += x * gl * send_amt;
      send.r[i] += x * gr * send_amt;
    }
  }
};

struct Pan {
  float l, r;
  explicit Pan(double p) {  // -1 left .. 1 right, equal power
    const double a = (std::clamp(p, -1.0, 1.0) + 1) * kPi / 4;
    l = static_cast<float>(std::cos(a));
    r = static_cast<float>(std::sin(a));
  }
};

// ---------------------------------------------------------------- drums
struct KickP {
  double f0 = 160, f1 = 50, sweep = 0.03, decay = 0.25, gain = 1, click = 0.2;
};
void Kick(Mix& m, int s0, const KickP& p, float vel) {
  const int len = std::min(m.n - s0, static_cast<int>(p.decay * 5 * kSr));
  double ph = 0, fenv = 1, env = vel * p.gain;
  const double fd = std::exp(-1.0 / (p.sweep * kSr));
  const double ed = std::exp(-1.0 / (p.decay * kSr));
  for (int i = 0; i < len; ++i) {
    const double f = p.f1 + (p.f0 - p.f1) * fenv;
    Advance(ph, f / kSr);
    float x = Sin(ph) * static_cast<float>(env);
    if (i < 64) x += static_cast<float>(p.click * vel * (1 - i / 64.0));
    m.Put(s0 + i, x, 0.707f, 0.707f, 0);
    fenv *= fd;
    env *= ed;
  }
}

struct NoiseHitP {
  double decay = 0.05, gain = 0.3, fc = 8000, q = 0.7, tone_hz = 0,
         tone_amt = 0, pan = 0, send = 0;
  int mode = 2;              // 0 low, 1 band, 2 high
  double attack_bursts = 0;  // clap: >0 gives three quick bursts
};
void NoiseHit(Mix& m, int s0, const NoiseHitP& p, float vel, Noise& nz) {
  const int len = std::min(m.n - s0, static_cast<int>(p.decay * 5 * kSr));
  if (len <= 0) return;
  Svf f;
  f.Set(p.fc, p.q);
  const Pan pan(p.pan);
  double env = vel * p.gain, ph = 0;
  const double ed = std::exp(-1.0 / (p.decay * kSr));
  const int burst = static_cast<int>(0.011 * kSr);
  for (int i = 0; i < len; ++i) {
    f.Run(nz.Next());
    float x = p.mode == 0 ? f.low : p.mode == 1 ? f.band * 2 : f.high;
    double e = env;
    if (p.attack_bursts > 0 && i < 3 * burst) {
      e = vel * p.gain * (1.0 - (i % burst) / static_cast<double>(burst));
    }
    x *= static_cast<float>(e);
    if (p.tone_amt > 0) {
      Advance(ph, p.tone_hz / kSr);
      x += Sin(ph) * static_cast<float>(env * p.tone_amt);
    }
    m.Put(s0 + i, x, pan.l, pan.r, static_cast<float>(p.send));
    env *= ed;
  }
}

void Tone(Mix& m, int s0, double f0, double f1, double decay, double gain,
          double pan, double send) {
  const int len = std::min(m.n - s0, static_cast<int>(decay * 6 * kSr));
  const Pan pp(pan);
  double ph = 0, env = gain, fenv = 1;
  const double ed = std::exp(-1.0 / (decay * kSr));
  const double fd = std::exp(-1.0 / (0.02 * kSr));
  for (int i = 0; i < len; ++i) {
    Advance(ph, (f1 + (f0 - f1) * fenv) / kSr);
    m.Put(s0 + i, Sin(ph) * static_cast<float>(env), pp.l, pp.r,
          static_cast<float>(send));
    env *= ed;
    fenv *= fd;
  }
}

// --------------------------------------------------------------- pitched
enum class Wave { kSine, kSaw, kSquare, kTri, kReese, kSuper, kKeys, kOrgan };

struct NoteP {
  Wave wave = Wave::kSaw;
  double attack = 0.005, decay = 0.3, sustain = 0.6, release = 0.05;
  double fc = 2000, fc_env = 0, fc_decay = 0.1, q = 0.8;
  double gain = 0.3, pan = 0, send = 0, detune = 0.1, drive = 0;
  int voices = 1;
  double vibrato = 0;  // semitones
};

// Adds one note of `dur` seconds (plus release) at `hz`.
void Note(Mix& m, int s0, double dur, double hz, const NoteP& p, float vel,
          uint64_t salt) {
  const int held = static_cast<int>(dur * kSr);
  const int len = std::min(m.n - s0, held + static_cast<int>(p.release * kSr));
  if (len <= 0) return;
  const int nv = std::max(1, p.voices);
  std::array<double, 8> ph{}, inc{};
  std::array<Pan, 8> pans{Pan(0), Pan(0), Pan(0), Pan(0),
                          Pan(0), Pan(0), Pan(0), Pan(0)};
  for (int v = 0; v < nv && v < 8; ++v) {
    const double spread = nv == 1 ? 0 : (2.0 * v / (nv - 1) - 1);
    inc[v] = hz * std::pow(2.0, spread * p.detune / 12) / kSr;
    ph[v] = ToUnit(Mix64(salt + v));
    pans[v] = Pan(std::clamp(p.pan + spread * 0.6, -1.0, 1.0));
  }
  Svf fl, fr;
  double fenv = 1;
  const double fd = std::exp(-1.0 / (p.fc_decay * kSr));
  const double dd = std::exp(-1.0 / (p.decay * kSr));
  const double rd = std::exp(-1.0 / (std::max(0.005, p.release) * kSr / 3));
  const int attack = std::max(1, static_cast<int>(p.attack * kSr));
  double env_dec = 1, level = 0, vib_ph = 0;
  float bell = 1;
  const float bell_decay = static_cast<float>(std::exp(-6.0 / kSr));
  const float norm = 1.0f / std::sqrt(static_cast<float>(nv));
  for (int i = 0; i < len; ++i) {
    if ((i & 31) == 0) {
      const double fc = p.fc * (1 + p.fc_env * fenv);
      fl.Set(fc, p.q);
      fr.a1 = fl.a1;
      fr.a2 = fl.a2;
      fr.a3 = fl.a3;
      fr.k = fl.k;
    }
    if (i < attack) {
      level = static_cast<double>(i) / attack;
    } else if (i < held) {
      level = p.sustain + (1 - p.sustain) * env_dec;
      env_dec *= dd;
    } else {
      level *= rd;
    }
    double vib = 1;
    if (p.vibrato > 0) {
      Advance(vib_ph, 5.0 / kSr);
      vib = 1 + Sin(vib_ph) * p.vibrato * 0.0578;
    }
    float sl = 0, sr = 0;
    for (int v = 0; v < nv && v < 8; ++v) {
      float x;
      switch (p.wave) {
        case Wave::kSine:
          x = Sin(ph[v]);
          break;
        case Wave::kSquare:
          x = Square(ph[v]) * 0.6f;
          break;
        case Wave::kTri:
          x = Tri(ph[v]);
          break;
        case Wave::kKeys:
          x = Sin(ph[v]) + Sin(ph[v] * 2) * 0.4f * bell +
              Sin(ph[v] * 3) * 0.15f;
          break;
        case Wave::kOrgan:
          x = Sin(ph[v]) * 0.6f + Sin(ph[v] * 2) * 0.4f +
              Sin(ph[v] * 4) * 0.25f;
          break;
        default:
          x = Saw(ph[v]);
          break;
      }
      Advance(ph[v], inc[v] * vib);
      if (nv == 1) {
        sl = x;
      } else {
        sl += x * pans[v].l;
        sr += x * pans[v].r;
      }
    }
    bell *= bell_decay;
    float yl, yr;
    if (nv == 1) {  // one voice: filter once, pan after
      fl.Run(sl * norm);
      yl = fl.low * pans[0].l;
      yr = fl.low * pans[0].r;
    } else {
      fl.Run(sl * norm);
      fr.Run(sr * norm);
      yl = fl.low;
      yr = fr.low;
    }
    if (p.drive > 0) {
      yl = SoftClip(yl * static_cast<float>(1 + p.drive));
      yr = SoftClip(yr * static_cast<float>(1 + p.drive));
    }
    const float a = static_cast<float>(level * p.gain * vel);
    const int k = s0 + i;
    m.dry.l[k] += yl * a;
    m.dry.r[k] += yr * a;
    if (p.send > 0) {
      m.send.l[k] += yl * a * static_cast<float>(p.send);
      m.send.r[k] += yr * a * static_cast<float>(p.send);
    }
    fenv *= fd;
  }
}

// ---------------------------------------------------------------- effects
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

// A small comb/allpass room on the send bus, written into the dry bus. One
// comb bank on the mono sum; the two channels differ in their allpasses.
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

// A ping-pong delay of the send bus (dub echoes), into the dry bus.
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

// --------------------------------------------------------------- patterns
// 16 steps per bar: 'x' hit, 'o' ghost, '?' 35% chance, '.' rest.
float StepVel(char c, Rng& rng) {
  switch (c) {
    case 'x':
      return static_cast<float>(rng.Uniform(0.85, 1.0));
    case 'o':
      return static_cast<float>(rng.Uniform(0.3, 0.5));
    case '?':
      return rng.Chance(0.35) ? static_cast<float>(rng.Uniform(0.4, 0.9)) : 0.f;
    default:
      return 0.f;
  }
}

using Pattern = const char*;

struct Layers {
  bool kick = true, snare = true, hats = true, perc = true, bass = true,
       harmony = true, lead = true;
};

struct Style {
  std::vector<Pattern> kick, snare, clap, hat, open_hat, perc;
  double swing_lo = 0, swing_hi = 0;
  double humanize = 0.0;  // seconds of timing jitter
};

Style StyleFor(const std::string& name) {
  Style s;
  if (name == "Funky House" || name == "Minimal House" || name == "Trance" ||
      name == "Techno") {
    s.kick = {"x...x...x...x..."};
    s.clap = {"....x.......x...", "....x.......x..o", "................"};
    s.hat = {"xoxoxoxoxoxoxoxo", "x.x.x.x.x.x.x.x.", "..x...x...x...x.",
             "oxoooxoooxoooxoo"};
    s.open_hat = {"..x...x...x...x.", "................", "..x...x...x...x?"};
    s.perc = {"...?..x....?..x.", "..o..o..?.o..o..", "................"};
    if (name == "Funky House") {
      s.swing_lo = 0.08;
      s.swing_hi = 0.22;
      s.perc = {"..o.x..o..o.x..o", "...x..x....x..x.", "..o..o..?.o..o.."};
    } else if (name == "Minimal House") {
      s.swing_lo = 0.0;
      s.swing_hi = 0.16;
      s.clap = {"....x.......x...", "............x...", "................"};
      s.perc = {"..x....x.x...x..", ".?..x..?..x..?..", "x..x..x..x..x..."};
    } else if (name == "Techno") {
      s.clap = {"....x.......x...", "................", "....o.......o..."};
      s.perc = {"..x..x..x..x..x.", "...x...x...x...x", "x?x?x?x?x?x?x?x?"};
    }
  } else if (name == "Breakbeat") {
    s.kick = {"x.........x.....", "x.x.......x..x..", "x......x..x.....",
              "x.....x...x....."};
    s.snare = {"....x..o.o..x...", "....x.......x..o", "....x..o....x.o."};
    s.hat = {"x.x.x.x.x.x.x.x.", "xoxoxoxoxoxoxoxo", "x.xxx.x.x.xxx.x."};
    s.open_hat = {"......x.......x.", "................"};
    s.perc = {"................", "...o......o....."};
    s.swing_hi = 0.1;
  } else if (name == "Drum and Bass") {
    s.kick = {"x.........x.....", "x.........x..x..", "x.x.......x....."};
    s.snare = {"....x.......x...", "....x..o....x..o", "....x.o.....x.o."};
    s.hat = {"x.x.x.x.x.x.x.x.", "xoxoxoxoxoxoxoxo", "x.o.x.o.x.o.x.o."};
    s.open_hat = {"................", "..x.......x....."};
    s.perc = {"................", "x...x...x...x..."};  // ride
  } else if (name == "Hip Hop / R&B") {
    s.kick = {"x......x..x.....", "x.....x...x..x..", "x..x......x.....",
              "x.......x.x....."};
    s.snare = {"....x.......x...", "....x.......x..o"};
    s.hat = {"x.x.x.x.x.x.x.x.", "x.x.x.xxx.x.x.x.", "xxxxxxxxxxxxxxxx"};
    s.open_hat = {"................", "..............x."};
    s.perc = {"................", "...o......o....."};
    s.swing_lo = 0.12;
    s.swing_hi = 0.33;
  } else if (name == "Dancehall") {
    s.kick = {"x...x...x...x...", "x..x..x.x..x..x.", "x.....x.x......."};
    s.snare = {"...x..x....x..x.", "...x..x.....x...", "......x.......x."};
    s.hat = {"x.x.x.x.x.x.x.x.", "x.xxx.xxx.xxx.xx"};
    s.open_hat = {"................"};
    s.perc = {"..x...x...x...x.", "...x......x....."};  // rim / wood
    s.swing_hi = 0.08;
  } else if (name == "Downtempo") {
    s.kick = {"x.......x.x.....", "x.........x.....", "x......x........"};
    s.snare = {"....x.......x...", "........x......."};
    s.hat = {"x.o.x.o.x.o.x.o.", "oooooooooooooooo", "x...x...x...x..."};
    s.open_hat = {"................"};
    s.perc = {"..o...o...o...o.", "................", "?.?.?.?.?.?.?.?."};
    s.swing_lo = 0.05;
    s.swing_hi = 0.25;
  } else {  // Rock/Indie
    s.kick = {"x.......x.x.....", "x.x.....x.......", "x.......x...x...",
              "x...x...x...x..."};
    s.snare = {"....x.......x...", "....x.......x.x."};
    s.hat = {"x.x.x.x.x.x.x.x.", "xxxxxxxxxxxxxxxx", "x...x...x...x..."};
    s.open_hat = {"................", "x...x...x...x..."};  // ride/crash wash
    s.perc = {"................"};
    s.humanize = 0.008;
  }
  if (s.snare.empty()) s.snare = {"................"};
  if (s.clap.empty()) s.clap = {"................"};
  return s;
}

struct Chords {
  int root;                  // midi of the key's root, bass octave
  std::vector<int> scale;    // semitone offsets, 7 degrees
  std::vector<int> degrees;  // one per bar (cycled)
  bool sevenths = false;
  int Tone(int degree, int idx) const {  // idx-th chord tone of a degree
    const int d = degree + 2 * idx;
    return root + scale[d % 7] + 12 * (d / 7);
  }
};

}  // namespace

StereoPcm SynthesizeTrack(uint64_t seed, const std::string& name,
                          const std::string& track_id, double bpm,
                          double seconds) {
  const auto& styles = SynthStyles();
  if (std::find(styles.begin(), styles.end(), name) == styles.end()) {
    throw std::invalid_argument("unknown synth style " + name);
  }
  Rng rng(HashKey(seed, track_id, 0x5717));
  Noise nz(rng.Next());
  Mix m;
  m.n = std::max(1, static_cast<int>(std::lround(seconds * kSr)));
  m.dry.l.assign(m.n, 0.f);
  m.dry.r.assign(m.n, 0.f);
  m.send = m.dry;

  const Style st = StyleFor(name);
  const double beat = 60.0 / bpm;
  const double step = beat / 4;
  const double swing = rng.Uniform(st.swing_lo, st.swing_hi);
  const int bars = static_cast<int>(seconds / (4 * beat)) + 2;

  // ---- harmony: key, scale, progression
  static const std::vector<int> kMinor = {0, 2, 3, 5, 7, 8, 10};
  static const std::vector<int> kMajor = {0, 2, 4, 5, 7, 9, 11};
  static const std::vector<int> kDorian = {0, 2, 3, 5, 7, 9, 10};
  double p_major = 0.3;
  if (name == "Rock/Indie" || name == "Funky House" || name == "Dancehall") {
    p_major = 0.55;
  }
  if (name == "Drum and Bass" || name == "Techno") p_major = 0.1;
  Chords ch;
  ch.root = 28 + rng.Int(0, 11);  // E1..D#2
  ch.scale =
      rng.Chance(p_major) ? kMajor : (rng.Chance(0.3) ? kDorian : kMinor);
  static const std::vector<std::vector<int>> kProgs = {
      {0, 5, 2, 6}, {0, 3, 4, 0}, {0, 5, 3, 4}, {0, 6, 5, 6}, {0, 4, 5, 3},
      {1, 4, 0, 0}, {0, 0, 3, 3}, {0, 2, 3, 4}, {5, 3, 0, 4}};
  ch.degrees = rng.Pick(kProgs);
  if (name == "Minimal House" || name == "Techno") {
    ch.degrees =
        rng.Chance(0.6) ? std::vector<int>{0} : std::vector<int>{0, 0, 5, 0};
  }
  ch.sevenths = name == "Downtempo" || name == "Hip Hop / R&B" ||
                name == "Funky House" || rng.Chance(0.15);
  const int bars_per_chord =
      (name == "Trance" || name == "Downtempo") ? rng.Int(1, 2) : 1;
  auto chord_degree = [&](int bar) {
    return ch.degrees[(bar / bars_per_chord) % ch.degrees.size()];
  };

  // ---- sounds for this track
  KickP kick;
  kick.f1 = rng.Uniform(42, 58);
  kick.f0 = rng.Uniform(110, 260);
  kick.sweep = rng.Uniform(0.015, 0.05);
  kick.decay = rng.Uniform(0.08, 0.22);
  kick.gain = rng.Uniform(0.8, 1.1);
  kick.click = rng.Uniform(0.0, 0.35);
  if (name == "Hip Hop / R&B" || name == "Dancehall") kick.decay *= 1.6;
  if (name == "Downtempo") kick.gain *= 0.7;
  if (name == "Rock/Indie") {
    kick.f1 = rng.Uniform(55, 70);
    kick.decay = rng.Uniform(0.06, 0.12);
    kick.click = rng.Uniform(0.3, 0.6);
  }
  NoiseHitP snare;
  snare.mode = 1;
  snare.fc = rng.Uniform(1200, 4000);
  snare.q = 0.6;
  snare.decay = rng.Uniform(0.05, 0.14);
  snare.gain = rng.Uniform(0.5, 0.8);
  snare.tone_hz = rng.Uniform(160, 240);
  snare.tone_amt = rng.Uniform(0.2, 0.6);
  snare.send = rng.Uniform(0.1, 0.4);
  if (name == "Rock/Indie") snare.decay *= 1.5;
  NoiseHitP clap = snare;
  clap.attack_bursts = 1;
  clap.fc = rng.Uniform(900, 1800);
  clap.q = 1.2;
  clap.decay = rng.Uniform(0.06, 0.15);
  clap.tone_amt = 0;
  NoiseHitP hat;
  hat.mode = 2;
  hat.fc = rng.Uniform(6000, 11000);
  hat.decay = rng.Uniform(0.015, 0.05);
  hat.gain = rng.Uniform(0.12, 0.3);
  hat.pan = rng.Uniform(-0.4, 0.4);
  if (name == "Minimal House") hat.decay *= 0.6;
  NoiseHitP ohat = hat;
  ohat.decay = rng.Uniform(0.12, 0.3);
  ohat.gain *= 0.8;
  if (name == "Rock/Indie") {  // ride / crash wash
    ohat.fc = 5000;
    ohat.decay = 0.6;
    ohat.gain = 0.15;
  }
  const double perc_hz = rng.Uniform(200, 900);
  const double perc_pan = rng.Uniform(-0.7, 0.7);

  // ---- patterns (one main, one variation)
  const Pattern kpat = rng.Pick(st.kick), kpat2 = rng.Pick(st.kick);
  const Pattern spat = rng.Pick(st.snare), cpat = rng.Pick(st.clap);
  const Pattern hpat = rng.Pick(st.hat), opat = rng.Pick(st.open_hat);
  const Pattern ppat = rng.Pick(st.perc);

  // ---- arrangement: 4-bar sections, some layers muted
  const int start_section = rng.Int(0, 3);
  std::vector<Layers> sections;
  for (int s = 0; s * 4 < bars; ++s) {
    Layers l;
    const double u = rng.Uniform();
    const int phase = (s + start_section) % 4;
    if (phase == 3 && u < 0.35) {  // breakdown: no kick, no bass
      l.kick = false;
      l.bass = false;
      l.snare = rng.Chance(0.3);
      l.hats = rng.Chance(0.5);
    } else if (phase == 0 && u < 0.3) {  // intro-like: no harmony
      l.harmony = false;
      l.lead = false;
    }
    if (rng.Chance(0.2)) l.perc = false;
    if (rng.Chance(0.3)) l.lead = false;
    sections.push_back(l);
  }

  auto step_sample = [&](int bar, int s, double jitter) {
    double t = (bar * 16 + s) * step;
    if (s % 2 == 1) t += swing * step;
    t += jitter;
    return static_cast<int>(std::max(0.0, t) * kSr);
  };
  auto jit = [&]() {
    return st.humanize > 0 ? rng.Gauss() * st.humanize : 0.0;
  };

  // ---- drums
  const double kick_level = rng.Uniform(0.8, 1.0);
  for (int bar = 0; bar < bars; ++bar) {
    const Layers& L = sections[bar / 4];
    const bool fill = (bar % 4 == 3) && rng.Chance(0.4);
    const Pattern kp = (bar % 2 == 1 && rng.Chance(0.5)) ? kpat2 : kpat;
    for (int s = 0; s < 16; ++s) {
      const int at = step_sample(bar, s, jit());
      if (at >= m.n) break;
      if (L.kick) {
        float v = StepVel(kp[s], rng);
        if (v > 0) Kick(m, at, kick, static_cast<float>(v * kick_level));
      }
      if (L.snare) {
        float v = StepVel(spat[s], rng);
        if (fill && s >= 12) v = static_cast<float>(rng.Uniform(0.4, 0.9));
        if (v > 0) NoiseHit(m, at, snare, v, nz);
        float c = StepVel(cpat[s], rng);
        if (c > 0) NoiseHit(m, at, clap, c, nz);
      }
      if (L.hats) {
        float v = StepVel(hpat[s], rng);
        if (v > 0) NoiseHit(m, at, hat, v, nz);
        float o = StepVel(opat[s], rng);
        if (o > 0) NoiseHit(m, at, ohat, o, nz);
      }
      if (L.perc) {
        float v = StepVel(ppat[s], rng);
        if (v > 0) {
          if (name == "Drum and Bass" || name == "Minimal House") {
            Tone(m, at, perc_hz * 4, perc_hz * 3.5, 0.03, 0.12 * v, perc_pan,
                 0.3);
          } else {
            Tone(m, at, perc_hz * 1.3, perc_hz, 0.06, 0.18 * v, perc_pan, 0.2);
          }
        }
      }
    }
    if (bar % 4 == 0 && (name == "Rock/Indie" || name == "Trance") &&
        L.kick) {  // crash on section starts
      NoiseHitP crash = ohat;
      crash.fc = 4000;
      crash.decay = 0.5;
      crash.gain = 0.18;
      NoiseHit(m, step_sample(bar, 0, 0), crash, 1.f, nz);
    }
  }

  // ---- bass
  NoteP bass;
  bass.gain = rng.Uniform(0.35, 0.5);
  bass.release = 0.03;
  Pattern bpat = "x.......x.......";
  double bass_len = 0.2;  // in beats for each hit... (set per style)
  int octave = 0;
  if (name == "Trance") {
    bass.wave = Wave::kSaw;
    bass.fc = rng.Uniform(300, 700);
    bass.fc_env = rng.Uniform(1, 4);
    bass.fc_decay = 0.05;
    bpat = rng.Chance(0.6) ? "..xx..xx..xx..xx" : "..x...x...x...x.";
    bass_len = 0.2;
    octave = 12;
  } else if (name == "Funky House") {
    bass.wave = rng.Chance(0.5) ? Wave::kSaw : Wave::kSquare;
    bass.fc = rng.Uniform(400, 900);
    bass.fc_env = 3;
    bass.fc_decay = 0.08;
    bpat = rng.Pick(std::vector<Pattern>{"x..x..x.x.x..x..", "x.x..xx...x.x..x",
                                         "..x.x..x..x.x..x"});
    bass_len = 0.22;
    octave = 12;
  } else if (name == "Minimal House" || name == "Techno") {
    bass.wave = rng.Chance(0.6) ? Wave::kSine : Wave::kSquare;
    bass.fc = rng.Uniform(200, 500);
    bpat = rng.Pick(std::vector<Pattern>{"..x.......x.....", "..x...x...x...x.",
                                         "...x......x..x.."});
    bass_len = 0.15;
    octave = 12;
  } else if (name == "Drum and Bass") {
    bass.wave = rng.Chance(0.7) ? Wave::kReese : Wave::kSine;
    bass.voices = bass.wave == Wave::kReese ? 2 : 1;
    bass.detune = rng.Uniform(0.1, 0.3);
    bass.fc = rng.Uniform(250, 700);
    bass.drive = rng.Uniform(0.5, 2.5);
    bpat = rng.Pick(std::vector<Pattern>{"x...............", "x.........x.....",
                                         "x.....x........."});
    bass_len = 1.8;
  } else if (name == "Hip Hop / R&B" || name == "Dancehall") {
    bass.wave = Wave::kSine;
    bass.fc = 400;
    bass.drive = rng.Uniform(0.0, 1.5);
    bass.decay = rng.Uniform(0.3, 0.8);
    bass.sustain = 0.2;
    bpat = (name == "Dancehall") ? kpat : rng.Pick(st.kick);
    bass_len = 1.0;
  } else if (name == "Downtempo") {
    bass.wave = rng.Chance(0.5) ? Wave::kTri : Wave::kSine;
    bass.fc = 600;
    bpat = rng.Pick(std::vector<Pattern>{"x.......x.......", "x.....x...x.....",
                                         "x.........x....."});
    bass_len = 1.2;
    octave = 12;
  } else if (name == "Rock/Indie") {
    bass.wave = Wave::kSaw;
    bass.fc = rng.Uniform(500, 1000);
    bass.drive = 0.8;
    bpat = rng.Chance(0.6) ? "x.x.x.x.x.x.x.x." : "x...x...x...x...";
    bass_len = 0.45;
    octave = 12;
  } else {  // Breakbeat: acid-ish
    bass.wave = Wave::kSaw;
    bass.fc = rng.Uniform(250, 600);
    bass.fc_env = rng.Uniform(3, 8);
    bass.fc_decay = rng.Uniform(0.05, 0.15);
    bass.q = rng.Uniform(2, 5);
    bass.drive = rng.Uniform(0.5, 2);
    bpat = rng.Pick(std::vector<Pattern>{"x..x..x...x.x..x", "x.xx..x.x..x.x..",
                                         "x..x.x..x..x..xx"});
    bass_len = 0.2;
    octave = 12;
  }
  bass.decay = std::max(bass.decay, 0.1);
  const std::vector<int> riff = {
      0, 0, rng.Chance(0.5) ? 7 : 12, 0, rng.Chance(0.5) ? 3 : 5, 0, 10, 0};
  for (int bar = 0; bar < bars; ++bar) {
    if (!sections[bar / 4].bass) continue;
    const int deg = chord_degree(bar);
    for (int s = 0; s < 16; ++s) {
      float v = StepVel(bpat[s], rng);
      if (v <= 0) continue;
      const int at = step_sample(bar, s, jit() * 0.5);
      if (at >= m.n) break;
      int note = ch.Tone(deg, 0) + octave;
      if (name == "Breakbeat" || name == "Funky House") note += riff[s % 8];
      Note(m, at, bass_len * beat, MidiHz(note), bass, v,
           static_cast<uint64_t>(bar * 16 + s));
    }
  }
  if (name == "Techno") {  // rumble: the kick's low end smeared out
    NoteP rum;
    rum.wave = Wave::kSine;
    rum.fc = 150;
    rum.gain = 0.2;
    rum.send = 0.8;
    for (int bar = 0; bar < bars; ++bar) {
      if (!sections[bar / 4].bass) continue;
      for (int b = 0; b < 4; ++b) {
        const int at = step_sample(bar, b * 4 + 2, 0);
        if (at < m.n) Note(m, at, beat * 0.4, MidiHz(ch.root + 12), rum, 1, b);
      }
    }
  }

  // ---- harmony
  NoteP harm;
  Pattern hrhythm = "x...............";
  double hlen = 4;  // beats
  double harm_oct = 36;
  harm.gain = rng.Uniform(0.12, 0.2);
  if (name == "Trance") {
    harm.wave = Wave::kSuper;
    harm.voices = rng.Int(4, 6);
    harm.detune = rng.Uniform(0.15, 0.35);
    harm.attack = rng.Uniform(0.05, 0.4);
    harm.fc = rng.Uniform(2500, 6000);
    harm.sustain = 0.9;
    harm.send = 0.7;
    harm.release = 0.4;
  } else if (name == "Funky House") {
    harm.wave = rng.Chance(0.6) ? Wave::kKeys : Wave::kOrgan;
    harm.fc = 5000;
    harm.decay = rng.Uniform(0.15, 0.4);
    harm.sustain = 0.2;
    harm.send = 0.3;
    hrhythm = rng.Pick(std::vector<Pattern>{
        "..x..x....x..x..", "x..x..x...x..x..", "...x..x....x..x."});
    hlen = 0.5;
    harm.gain *= 1.3;
  } else if (name == "Minimal House" || name == "Techno") {
    harm.wave = rng.Chance(0.5) ? Wave::kSine : Wave::kSquare;
    harm.fc = rng.Uniform(1000, 3000);
    harm.decay = 0.08;
    harm.sustain = 0;
    harm.send = 0.8;
    hrhythm = rng.Pick(std::vector<Pattern>{
        "...x......x.....", "......x.......x.", ".x.....?...x...."});
    hlen = 0.25;
    harm_oct = 48;
    harm.gain *= 0.7;
  } else if (name == "Drum and Bass") {
    harm.wave = Wave::kSuper;
    harm.voices = 3;
    harm.fc = rng.Uniform(800, 1800);
    harm.attack = 0.5;
    harm.sustain = 0.8;
    harm.send = 0.8;
    harm.release = 0.8;
    harm.gain *= 0.8;
  } else if (name == "Hip Hop / R&B" || name == "Downtempo") {
    harm.wave = Wave::kKeys;
    harm.fc = rng.Uniform(1500, 3500);
    harm.decay = rng.Uniform(0.8, 2.0);
    harm.sustain = 0.3;
    harm.send = name == "Downtempo" ? 0.8 : 0.3;
    harm.release = 0.3;
    if (name == "Downtempo" && rng.Chance(0.5)) {
      harm.wave = Wave::kSuper;
      harm.voices = 3;
      harm.attack = 0.8;
      harm.fc = 1500;
      harm.sustain = 0.9;
    }
  } else if (name == "Dancehall") {
    harm.wave = Wave::kOrgan;
    harm.fc = 4000;
    harm.decay = 0.08;
    harm.sustain = 0.3;
    harm.send = 0.5;
    hrhythm = rng.Chance(0.6) ? "..x...x...x...x." : "..xx..xx..xx..xx";
    hlen = 0.3;
    harm.gain *= 1.2;
  } else if (name == "Rock/Indie") {
    harm.wave = Wave::kSuper;
    harm.voices = 2;
    harm.detune = 0.08;
    harm.drive = rng.Uniform(3, 9);
    harm.fc = rng.Uniform(2500, 4500);
    harm.q = 1.2;
    harm.sustain = 0.8;
    harm.send = 0.15;
    hrhythm = rng.Chance(0.5) ? "x.x.x.x.x.x.x.x." : "x..x..x.x..x..x.";
    hlen = 0.5;
    harm_oct = 24;
    harm.gain *= 1.2;
    if (rng.Chance(0.35)) {  // indie: clean picked guitar
      harm.drive = 0;
      harm.wave = Wave::kSaw;
      harm.voices = 1;
      harm.decay = 0.25;
      harm.sustain = 0.1;
      harm.fc = 3000;
      hrhythm = "xxxxxxxxxxxxxxxx";
      hlen = 0.3;
      harm_oct = 36;
    }
  } else {  // Breakbeat stabs
    harm.wave = Wave::kSuper;
    harm.voices = 3;
    harm.fc = rng.Uniform(1500, 4000);
    harm.fc_env = 2;
    harm.decay = 0.12;
    harm.sustain = 0.1;
    harm.send = 0.5;
    hrhythm = rng.Pick(std::vector<Pattern>{
        "x.....x.........", "......x.....x...", "x..x............"});
    hlen = 0.4;
  }
  const bool power = name == "Rock/Indie" && harm.drive > 0;
  const bool arpeggio = hrhythm[1] == 'x' && hrhythm[2] == 'x' &&
                        hrhythm[3] == 'x';  // picked: one note at a time
  const int chord_tones = ch.sevenths ? 4 : 3;
  for (int bar = 0; bar < bars; ++bar) {
    if (!sections[bar / 4].harmony) continue;
    const int deg = chord_degree(bar);
    for (int s = 0; s < 16; ++s) {
      float v = StepVel(hrhythm[s], rng);
      if (v <= 0) continue;
      const int at = step_sample(bar, s, jit());
      if (at >= m.n) break;
      const double dur = hlen * beat;
      if (power) {  // root, fifth, octave
        const int r = ch.Tone(deg, 0) + static_cast<int>(harm_oct);
        for (int off : {0, 7, 12}) {
          Note(m, at, dur, MidiHz(r + off), harm, v, at + off);
        }
      } else if (arpeggio) {
        const int r =
            ch.Tone(deg, s % chord_tones) + static_cast<int>(harm_oct);
        Note(m, at, dur, MidiHz(r), harm, v, at);
      } else {
        for (int t = 0; t < chord_tones; ++t) {
          Note(m, at, dur, MidiHz(ch.Tone(deg, t) + static_cast<int>(harm_oct)),
               harm, v * 0.8f, at + t);
        }
      }
    }
  }

  // ---- lead: arps, melodies
  NoteP lead;
  lead.gain = rng.Uniform(0.08, 0.14);
  lead.send = 0.6;
  bool has_lead = true;
  Pattern lrhythm = "x.x.x.x.x.x.x.x.";
  double llen = 0.4;
  if (name == "Trance") {
    lead.wave = rng.Chance(0.5) ? Wave::kSquare : Wave::kSaw;
    lead.fc = 3000;
    lead.fc_env = 2;
    lead.decay = 0.1;
    lead.sustain = 0.2;
    lrhythm = "xxxxxxxxxxxxxxxx";
    llen = 0.2;
  } else if (name == "Downtempo" || name == "Hip Hop / R&B") {
    lead.wave = Wave::kSine;
    lead.fc = 4000;
    lead.attack = 0.05;
    lead.vibrato = 0.3;
    lead.sustain = 0.7;
    lrhythm = rng.Pick(std::vector<Pattern>{
        "x.......x.......", "x.....x.....x...", "x..............."});
    llen = 1.5;
    has_lead = rng.Chance(0.6);
  } else if (name == "Breakbeat" || name == "Techno") {
    lead.wave = Wave::kSaw;
    lead.fc = 1200;
    lead.fc_env = 6;
    lead.q = 4;
    lead.decay = 0.1;
    lead.sustain = 0.1;
    lrhythm = "x.xx.x.xx.x.x.xx";
    llen = 0.2;
    has_lead = rng.Chance(name == "Techno" ? 0.4 : 0.5);
  } else {
    has_lead = false;
  }
  if (has_lead) {
    std::vector<int> motif(8);
    for (int& x : motif) x = rng.Int(0, 6);
    for (int bar = 0; bar < bars; ++bar) {
      if (!sections[bar / 4].lead) continue;
      const int deg = chord_degree(bar);
      int k = 0;
      for (int s = 0; s < 16; ++s) {
        float v = StepVel(lrhythm[s], rng);
        if (v <= 0) continue;
        const int at = step_sample(bar, s, 0);
        if (at >= m.n) break;
        int note;
        if (name == "Trance") {
          note = ch.Tone(deg, k % 3 + (k / 3) % 2) + 48;
        } else {
          note = ch.root + 48 + ch.scale[(deg + motif[k % 8]) % 7];
        }
        ++k;
        Note(m, at, llen * beat, MidiHz(note), lead, v,
             static_cast<uint64_t>(at));
      }
    }
  }

  // ---- noise beds: vinyl crackle, tape hiss, risers
  double crackle = 0, hiss = rng.Uniform(0.0005, 0.003);
  if (name == "Hip Hop / R&B" || name == "Downtempo") {
    crackle = rng.Uniform(0.0, 0.5);
    hiss *= 3;
  }
  if (name == "Rock/Indie") hiss *= 2;
  {
    Svf hf;
    hf.Set(name == "Hip Hop / R&B" || name == "Downtempo" ? 4000 : 9000, 0.7);
    for (int i = 0; i < m.n; ++i) {
      float x = nz.Next() * static_cast<float>(hiss);
      if (crackle > 0 && (nz.s & 0xfff) == 7) x += nz.Next() * 0.3f * crackle;
      hf.Run(x);
      m.dry.l[i] += hf.low;
      m.dry.r[i] += hf.low * 0.9f;
    }
  }
  if (name == "Trance" || name == "Techno" || name == "Breakbeat") {
    // White-noise risers into section starts.
    for (int bar = 3; bar < bars; bar += 4) {
      if (!rng.Chance(0.5)) continue;
      const int s0 = step_sample(bar, 0, 0);
      const int len = std::min(m.n - s0, static_cast<int>(4 * beat * kSr));
      Svf f;
      for (int i = 0; i < len; ++i) {
        if ((i & 31) == 0) f.Set(500 + 9000.0 * i / len, 1.5);
        f.Run(nz.Next());
        const float a = 0.08f * static_cast<float>(i) / len;
        m.Put(s0 + i, f.band * a, 0.707f, 0.707f, 0.5f);
      }
    }
  }

  // ---- effects and master
  if (name == "Dancehall" || name == "Minimal House" || name == "Techno" ||
      name == "Downtempo" || rng.Chance(0.2)) {
    Echo(m, beat * (rng.Chance(0.5) ? 0.75 : 0.5), rng.Uniform(0.3, 0.55),
         rng.Uniform(0.2, 0.45));
  }
  double room = rng.Uniform(0.2, 0.6);
  if (name == "Trance" || name == "Downtempo" || name == "Drum and Bass") {
    room = rng.Uniform(0.6, 0.95);
  }
  Reverb(m, room, rng.Uniform(0.2, 0.6), rng.Uniform(0.5, 1.0));

  double tone_fc = rng.Uniform(9000, 16000);
  if (name == "Hip Hop / R&B" || name == "Downtempo") {
    tone_fc = rng.Uniform(4500, 9000);
  }
  const double a = 1 - std::exp(-2 * kPi * tone_fc / kSr);
  double zl = 0, zr = 0, sumsq = 0;
  for (int i = 0; i < m.n; ++i) {
    zl += a * (m.dry.l[i] - zl);
    zr += a * (m.dry.r[i] - zr);
    m.dry.l[i] = static_cast<float>(zl);
    m.dry.r[i] = static_cast<float>(zr);
    sumsq += zl * zl + zr * zr;
  }
  // Loudness to a target RMS (a track-random drive), soft clip, then peak.
  const double rms = std::sqrt(sumsq / (2.0 * m.n)) + 1e-9;
  const float gain = static_cast<float>(rng.Uniform(0.14, 0.22) / rms);
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

}  // namespace cratedig::samplestore
