#include <algorithm>
#include <string>
#include <vector>

#include "samplestore/synth_drums.h"
#include "samplestore/synth_parts.h"

namespace cratedig::samplestore::synth {

DrumKit PickDrumKit(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
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
  return {kick, snare, clap, hat, ohat, perc_hz, perc_pan};
}

DrumPatterns PickDrumPatterns(Track& t) {
  Rng& rng = t.rng;
  const Pattern kpat = rng.Pick(t.st.kick), kpat2 = rng.Pick(t.st.kick);
  const Pattern spat = rng.Pick(t.st.snare), cpat = rng.Pick(t.st.clap);
  const Pattern hpat = rng.Pick(t.st.hat), opat = rng.Pick(t.st.open_hat);
  const Pattern ppat = rng.Pick(t.st.perc);
  return {kpat, kpat2, spat, cpat, hpat, opat, ppat};
}

void PlayDrums(Track& t, const DrumKit& kit, const DrumPatterns& pat) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  Mix& m = t.m;
  Noise& nz = t.nz;
  const KickP& kick = kit.kick;
  const NoiseHitP &snare = kit.snare, &clap = kit.clap, &hat = kit.hat,
                  &ohat = kit.ohat;
  const double perc_hz = kit.perc_hz, perc_pan = kit.perc_pan;
  const Pattern kpat = pat.kick, kpat2 = pat.kick2, spat = pat.snare,
                cpat = pat.clap, hpat = pat.hat, opat = pat.open_hat,
                ppat = pat.perc;
  const double kick_level = rng.Uniform(0.8, 1.0);
  for (int bar = 0; bar < t.bars; ++bar) {
    const Layers& L = t.Section(bar);
    const bool fill = (bar % 4 == 3) && rng.Chance(0.4);
    const Pattern kp = (bar % 2 == 1 && rng.Chance(0.5)) ? kpat2 : kpat;
    for (int s = 0; s < 16; ++s) {
      const int at = t.StepSample(bar, s, t.Jitter());
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
      NoiseHit(m, t.StepSample(bar, 0, 0), crash, 1.f, nz);
    }
  }
}

}  // namespace cratedig::samplestore::synth
