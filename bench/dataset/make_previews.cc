// Writes 2-minute previews made by the sample store's synthesiser
// (samplestore/synth.h, 44.1 kHz stereo, 128 kbps mp3), N per style, for
// run_bench.py --previews and the docs picture:
//   make_previews OUT_DIR [per_style=1] [seed=1]
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "core/files.h"
#include "samplestore/mp3_encoder.h"
#include "samplestore/synth.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_previews OUT_DIR [per_style] [seed]\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const int per_style = argc > 2 ? std::atoi(argv[2]) : 1;
  const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  // Typical tempos; anything else gets 120.
  const std::map<std::string, double> bpm = {
      {"Breakbeat", 130},     {"Dancehall", 95},    {"Downtempo", 90},
      {"Drum and Bass", 174}, {"Funky House", 124}, {"Hip Hop / R&B", 92},
      {"Minimal House", 124}, {"Rock/Indie", 120},  {"Trance", 138},
      {"Techno", 130}};
  int n = 0;
  for (const std::string& style : cratedig::samplestore::SynthStyles()) {
    for (int i = 0; i < per_style; ++i, ++n) {
      const std::string id = "bench-" + std::to_string(n);
      auto it = bpm.find(style);
      auto pcm = cratedig::samplestore::SynthesizeTrack(
          seed, style, id, it == bpm.end() ? 120.0 : it->second, 120.0);
      auto mp3 = cratedig::samplestore::EncodeMp3(pcm);
      if (!mp3.ok()) {
        std::fprintf(stderr, "%s\n", mp3.status().ToString().c_str());
        return 1;
      }
      std::string name;
      for (char c : style)
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      const auto path = out / (name + "_" + std::to_string(i) + ".mp3");
      auto st = cratedig::WriteFileAtomic(path, *mp3);
      if (!st.ok()) {
        std::fprintf(stderr, "%s\n", st.ToString().c_str());
        return 1;
      }
      std::printf("%s\n", path.c_str());
    }
  }
  return 0;
}
