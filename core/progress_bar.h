// ProgressBar: turns Progress callbacks into output for a person.
//
// On a terminal it redraws one line ("[#####     ] 512/1000 tracks 12.3/s
// eta 40s detail"); otherwise (CI, pipes, log files) it prints a plain line at
// most every `plain_interval` and always on completion, so logs stay short.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "core/progress.h"

namespace cratedig {

struct ProgressBarOptions {
  FILE* out = stderr;
  // Default: detect with isatty(fileno(out)).
  int force_tty = -1;  // -1 detect, 0 plain lines, 1 terminal bar
  int width = 30;      // bar characters on a terminal
  std::chrono::milliseconds tty_interval{100};
  std::chrono::milliseconds plain_interval{5000};
  bool quiet = false;  // print nothing at all (-q)
};

// "42s", "7m05s", "28h03m".
std::string EtaText(double seconds);

class ProgressBar {
 public:
  explicit ProgressBar(ProgressBarOptions options = {});
  ~ProgressBar();  // finishes the line if one is open

  void Update(const Progress& p);
  // Prints the final state and a newline.
  void Finish();
  // A callback bound to this bar. REQUIRES: the bar outlives the callback.
  ProgressFn Callback();

  // Exposed for tests: the line that Update() would draw.
  static std::string Format(const Progress& p, double rate_per_s, int width,
                            bool bar);

 private:
  ProgressBarOptions opt_;
  bool tty_;
  bool open_line_ = false;
  Progress last_;
  std::chrono::steady_clock::time_point start_, last_print_;
  bool started_ = false;
};

}  // namespace cratedig
