#include "samplestore/synth_style.h"

namespace cratedig::samplestore::synth {

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

}  // namespace cratedig::samplestore::synth
