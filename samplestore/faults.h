// Injectable faults of the sample store (configs/faults.toml), and the
// deterministic decisions of which request or path gets which fault.
//
// Two kinds:
// - Transient faults hit one request with their rate and clear on a later
//   retry of the same path: request n of a path faults iff
//   ToUnit(HashKey(seed, path, n)) falls in the fault's slice of [0, 1), and
//   never more than `max_consecutive` requests of a path in a row, so a
//   crawler that retries (max_retries >= max_consecutive) always finishes.
//   They never hit /robots.txt.
// - Permanent faults belong to a path for the whole run, chosen from
//   HashKey(seed, path) and recorded in the catalogue truth (faults lists):
//   product pages: "malformed_html", "redirect_loop", "redirect_offsite";
//   previews: "corrupt_mp3", "preview_404", "oversized".
#pragma once

#include <cstdint>
#include <string>

#include "config/toml_reader.h"
#include "samplestore/catalogue.h"

namespace cratedig::samplestore {

struct Faults {
  // ---- transient: fraction of requests (sum of rates <= 1). Default: 0.
  double rate_429 = 0;       // 429 with "Retry-After: <seconds>"
  double rate_429_date = 0;  // 429 with "Retry-After: <HTTP-date>"
  double rate_503 = 0;       // 503 with "Retry-After: <seconds>"
  double rate_500 = 0;
  double rate_slow = 0;       // the normal answer after slow_delay seconds
  double rate_truncated = 0;  // Content-Length larger than the body, then
                              // the connection is dropped
  int retry_after = 1;        // seconds in Retry-After. Default: 1.
  double slow_delay = 2.0;    // seconds. Default: 2.
  // At most this many faulted requests of one path in a row. Default: 2.
  int max_consecutive = 2;

  // ---- permanent: fraction of paths (each group sums to <= 1). Default: 0.
  double rate_corrupt_mp3 = 0;       // previews: garbage bytes with an mp3 name
  double rate_preview_404 = 0;       // previews: linked but 404
  double rate_oversized = 0;         // previews: a body of oversized_bytes
  double rate_malformed_html = 0;    // product pages: unclosed tags, no
                                     // label, no durations
  double rate_redirect_loop = 0;     // product pages: A -> A?loop=1 -> A ...
  double rate_redirect_offsite = 0;  // product pages: 302 to offsite_url
  int64_t oversized_bytes = 48 << 20;  // Default: 48 MiB (> the 32 MiB cap).
  std::string offsite_url = "http://example.invalid/";

  // robots.txt "Crawl-delay" line when > 0 (seconds). Default: 0, no line.
  double crawl_delay = 0;

  void Read(config::TomlReader& r);
  void Validate(config::TomlReader& r);
  bool any_transient() const {
    return rate_429 + rate_429_date + rate_503 + rate_500 + rate_slow +
               rate_truncated >
           0;
  }
};

enum class TransientFault {
  kNone,
  k429,
  k429Date,
  k503,
  k500,
  kSlow,
  kTruncated
};
const char* TransientFaultName(TransientFault f);

// The transient fault of request number `n` (0-based) of `path`, ignoring
// the max_consecutive cap (the server applies it).
TransientFault PickTransientFault(const Faults& f, uint64_t seed,
                                  const std::string& path, uint64_t n);

// Fills the `faults` lists of every release and track (clears them first).
void ApplyPermanentFaults(const Faults& f, Catalogue* catalogue);

}  // namespace cratedig::samplestore
