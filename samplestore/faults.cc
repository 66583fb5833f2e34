#include "samplestore/faults.h"

#include "samplestore/rng.h"

namespace cratedig::samplestore {

void Faults::Read(config::TomlReader& r) {
  r.Read("rate_429", rate_429);
  r.Read("rate_429_date", rate_429_date);
  r.Read("rate_503", rate_503);
  r.Read("rate_500", rate_500);
  r.Read("rate_slow", rate_slow);
  r.Read("rate_truncated", rate_truncated);
  r.Read("retry_after", retry_after);
  r.Read("slow_delay", slow_delay);
  r.Read("max_consecutive", max_consecutive);
  r.Read("rate_corrupt_mp3", rate_corrupt_mp3);
  r.Read("rate_preview_404", rate_preview_404);
  r.Read("rate_oversized", rate_oversized);
  r.Read("rate_malformed_html", rate_malformed_html);
  r.Read("rate_redirect_loop", rate_redirect_loop);
  r.Read("rate_redirect_offsite", rate_redirect_offsite);
  r.Read("oversized_bytes", oversized_bytes);
  r.Read("offsite_url", offsite_url);
  r.Read("crawl_delay", crawl_delay);
}

void Faults::Validate(config::TomlReader& r) {
  const std::pair<const char*, double> rates[] = {
      {"rate_429", rate_429},
      {"rate_429_date", rate_429_date},
      {"rate_503", rate_503},
      {"rate_500", rate_500},
      {"rate_slow", rate_slow},
      {"rate_truncated", rate_truncated},
      {"rate_corrupt_mp3", rate_corrupt_mp3},
      {"rate_preview_404", rate_preview_404},
      {"rate_oversized", rate_oversized},
      {"rate_malformed_html", rate_malformed_html},
      {"rate_redirect_loop", rate_redirect_loop},
      {"rate_redirect_offsite", rate_redirect_offsite}};
  for (const auto& [key, v] : rates) {
    if (v < 0 || v > 1) r.Fail(key, "expected a rate in [0, 1]");
  }
  if (rate_429 + rate_429_date + rate_503 + rate_500 + rate_slow +
          rate_truncated >
      1) {
    r.Fail("rate_429", "transient rates must sum to <= 1");
  }
  if (rate_corrupt_mp3 + rate_preview_404 + rate_oversized > 1) {
    r.Fail("rate_corrupt_mp3", "preview fault rates must sum to <= 1");
  }
  if (rate_malformed_html + rate_redirect_loop + rate_redirect_offsite > 1) {
    r.Fail("rate_malformed_html", "page fault rates must sum to <= 1");
  }
  if (retry_after < 0) r.Fail("retry_after", "expected seconds >= 0");
  if (slow_delay < 0) r.Fail("slow_delay", "expected seconds >= 0");
  if (max_consecutive < 1) r.Fail("max_consecutive", "expected >= 1");
  if (oversized_bytes < 1) r.Fail("oversized_bytes", "expected > 0");
  if (offsite_url.rfind("http://", 0) != 0 &&
      offsite_url.rfind("https://", 0) != 0) {
    r.Fail("offsite_url", "expected an http(s) URL");
  }
  if (crawl_delay < 0) r.Fail("crawl_delay", "expected seconds >= 0");
}

const char* TransientFaultName(TransientFault f) {
  switch (f) {
    case TransientFault::kNone:
      return "none";
    case TransientFault::k429:
      return "429";
    case TransientFault::k429Date:
      return "429_date";
    case TransientFault::k503:
      return "503";
    case TransientFault::k500:
      return "500";
    case TransientFault::kSlow:
      return "slow";
    case TransientFault::kTruncated:
      return "truncated";
  }
  return "?";
}

TransientFault PickTransientFault(const Faults& f, uint64_t seed,
                                  const std::string& path, uint64_t n) {
  if (!f.any_transient()) return TransientFault::kNone;
  double u = ToUnit(HashKey(seed ^ 0x7a11, path, n));
  const std::pair<double, TransientFault> slices[] = {
      {f.rate_429, TransientFault::k429},
      {f.rate_429_date, TransientFault::k429Date},
      {f.rate_503, TransientFault::k503},
      {f.rate_500, TransientFault::k500},
      {f.rate_slow, TransientFault::kSlow},
      {f.rate_truncated, TransientFault::kTruncated}};
  for (const auto& [rate, fault] : slices) {
    if (u < rate) return fault;
    u -= rate;
  }
  return TransientFault::kNone;
}

namespace {

// At most one fault of a group per path, from its slice of [0, 1).
const char* PickPermanent(
    uint64_t seed, const std::string& path,
    std::initializer_list<std::pair<double, const char*>> slices) {
  double u = ToUnit(HashKey(seed ^ 0xfa017, path));
  for (const auto& [rate, name] : slices) {
    if (u < rate) return name;
    u -= rate;
  }
  return nullptr;
}

}  // namespace

void ApplyPermanentFaults(const Faults& f, Catalogue* cat) {
  for (ReleaseTruth& r : cat->releases) {
    r.faults.clear();
    if (const char* name =
            PickPermanent(cat->seed, r.url_path,
                          {{f.rate_malformed_html, "malformed_html"},
                           {f.rate_redirect_loop, "redirect_loop"},
                           {f.rate_redirect_offsite, "redirect_offsite"}})) {
      r.faults.push_back(name);
    }
    for (TrackTruth& t : r.tracks) {
      t.faults.clear();
      if (!t.has_preview) continue;
      if (const char* name = PickPermanent(cat->seed, t.preview_path,
                                           {{f.rate_corrupt_mp3, "corrupt_mp3"},
                                            {f.rate_preview_404, "preview_404"},
                                            {f.rate_oversized, "oversized"}})) {
        t.faults.push_back(name);
      }
    }
  }
}

}  // namespace cratedig::samplestore
