// The end-to-end demo: every stage of cratedig, in order, on an in-process
// sample store. This is what `cratedig demo` (the README's first command)
// runs; the CLI only parses flags and prints what the callbacks say.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/status.h"

namespace cratedig::demo {

struct DemoOptions {
  // Everything the demo writes (cratedig.db, previews/, tiles/, runs/) goes
  // here. An existing folder is reused only if an earlier demo made it (it
  // holds a .cratedig-demo marker); its contents are then replaced.
  std::string workdir = "out";
  // Site profile, dataset and training settings (relative to the current
  // folder; the demo overrides only the store address and the schedule).
  std::string site_config = "configs/samplestore.toml";
  std::string dataset_config = "configs/dataset.toml";
  std::string train_config = "configs/train.toml";
  uint64_t store_seed = 7;       // Default: 7.
  int tracks_per_genre = 40;     // sample-store tracks per parent genre.
  double preview_seconds = 30;   // Default: 30 (5 tiles of 5.12 s each).
  double delay = 0.01;           // per-host delay on loopback, seconds.
  int epochs = 12;               // a short schedule; the original ran 20.
  std::string network = "seed";  // "seed" or "bn".
  // "libtorch", "tiny-dnn" or "auto"; empty: the train config's.
  std::string backend;
  int threads = 0;   // 0 = all cores.
  int examples = 3;  // example recommendations to print.
  int k = 5;         // recommendations per example.
};

// What the demo tells as it goes: a stage's summary line, or a block of
// text (the per-genre table, the examples).
using SayFn = std::function<void(const std::string&)>;

struct DemoReport {
  std::string db_path;  // absolute
  int64_t run_id = 0;
  double track_accuracy = 0;
  double seconds = 0;
};

// Runs store -> crawl -> download -> dataset -> train -> evaluate -> embed
// -> evaluate-recs -> example recommendations. REQUIRES: progress and say
// outlive the call.
Result<DemoReport> RunDemo(const DemoOptions& options,
                           const ProgressFn& progress, const SayFn& say,
                           const CancelFlag* cancel);

}  // namespace cratedig::demo
