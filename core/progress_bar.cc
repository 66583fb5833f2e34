#include "core/progress_bar.h"

#include <unistd.h>

#include <cmath>

#include "fmt/format.h"

namespace cratedig {

ProgressBar::ProgressBar(ProgressBarOptions options) : opt_(options) {
  tty_ = opt_.force_tty >= 0 ? opt_.force_tty == 1 : isatty(fileno(opt_.out));
}

ProgressBar::~ProgressBar() {
  if (open_line_) std::fputc('\n', opt_.out);
}

std::string EtaText(double seconds) {
  const auto t = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (t < 120) return fmt::format("{}s", t);
  if (t < 3600 * 2) return fmt::format("{}m{:02d}s", t / 60, t % 60);
  return fmt::format("{}h{:02d}m", t / 3600, (t / 60) % 60);
}

std::string ProgressBar::Format(const Progress& p, double rate, int width,
                                bool bar) {
  std::string s = p.stage.empty() ? "" : p.stage + " ";
  if (bar && p.total > 0) {
    int filled = static_cast<int>(
        std::lround(width * std::min(1.0, double(p.done) / double(p.total))));
    s += "[" + std::string(filled, '#') + std::string(width - filled, ' ') +
         "] ";
  }
  if (p.total > 0) {
    s += fmt::format("{}/{} {}", p.done, p.total, p.unit);
  } else {
    s += fmt::format("{} {}", p.done, p.unit);
  }
  if (rate > 0) s += fmt::format(" {:.1f}/s", rate);
  // The stage's own reckoning first (a polite crawl's pace is its delay,
  // not what the first fast requests suggest), else extrapolate.
  if (p.eta_s >= 0 && p.total > p.done) {
    s += " eta " + EtaText(p.eta_s);
  } else if (rate > 0 && p.total > p.done) {
    s += " eta " + EtaText(double(p.total - p.done) / rate);
  }
  if (!p.detail.empty()) s += " " + p.detail;
  return s;
}

void ProgressBar::Update(const Progress& p) {
  if (opt_.quiet) return;
  auto now = std::chrono::steady_clock::now();
  if (!started_ || p.stage != last_.stage) {
    if (open_line_) {
      std::fputc('\n', opt_.out);
      open_line_ = false;
    }
    start_ = now;
    started_ = true;
    last_print_ = now - std::chrono::hours(1);
  }
  last_ = p;
  bool complete = p.total > 0 && p.done >= p.total;
  auto interval = tty_ ? opt_.tty_interval : opt_.plain_interval;
  if (!complete && now - last_print_ < interval) return;
  last_print_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0.05 ? double(p.done) / secs : 0.0;
  std::string line = Format(p, rate, opt_.width, tty_);
  if (tty_) {
    std::fprintf(opt_.out, "\r\033[K%s", line.c_str());
    open_line_ = true;
  } else {
    std::fprintf(opt_.out, "%s\n", line.c_str());
  }
  std::fflush(opt_.out);
}

void ProgressBar::Finish() {
  if (opt_.quiet || !started_) return;
  if (open_line_) {
    std::fputc('\n', opt_.out);
    open_line_ = false;
  }
}

ProgressFn ProgressBar::Callback() {
  return [this](const Progress& p) { Update(p); };
}

}  // namespace cratedig
