// SampleStore: the deterministic, Juno-shaped music store on 127.0.0.1 that
// the demo, every crawler test and every end-to-end test run against.
//
// Start() generates the catalogue (catalogue.h), renders every page
// (pages.h), synthesises and encodes every preview on a thread pool
// (synth.h, mp3_encoder.h), then serves them with cpp-httplib until Stop().
// Same options -> byte-identical pages and mp3s, whatever `threads` is.
//
// Paging: listings show `items_per_page` releases per page whatever the
// URL's items_per_page says (the crawler keeps the real store's URL).
//
// Request log (`request_log`): one line per request, tab-separated:
//   <UTC time, ISO 8601 with microseconds>\t<method>\t<path?query>\t
//   <User-Agent>\t<status>
// e.g. "2026-11-25T10:18:21.123456Z\tGET\t/robots.txt\tcratedig/0.1\t200".
// The time is when the request arrived (before any slow-response delay).
//
// Conditional requests: every page and preview carries an ETag (a hash of
// its bytes) and a Last-Modified (when it was last rendered); a request
// with a matching If-None-Match, or without one and an If-Modified-Since
// not older than Last-Modified, gets 304 and no body (RFC 9110 13.1).
//
// Releases over time: `held_back` keeps the newest N releases of every
// listing unpublished (no listing row, product page 404); Publish(n) puts
// the next n of each listing out, newest last, at the top of page 1 as on
// the real store. The listings are re-rendered and get a new ETag.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/progress.h"
#include "core/status.h"
#include "samplestore/catalogue.h"
#include "samplestore/faults.h"

namespace cratedig::samplestore {

struct StoreOptions {
  uint64_t seed = 7;
  int tracks_per_genre = 40;       // per parent genre; Default: 40.
  double preview_seconds = 30;     // length of every mp3. Default: 30.
  std::string host = "127.0.0.1";  // REQUIRES: a loopback address.
  int port = 0;                    // 0 picks a free port. Default: 0.
  // A faults TOML file (configs/faults.toml); when empty, `faults` is used.
  std::string faults_file;
  Faults faults;
  std::string request_log;  // "" = no log. Default: "".
  int threads = 0;          // audio generation; 0 = all cores.
  int items_per_page = 10;  // listing page size. Default: 10.
  int mp3_quality = 7;      // LAME quality 0..9 (mp3_encoder.h). Default: 7.
  // Newest releases of each listing not yet out at start. Default: 0.
  int held_back = 0;
};

class SampleStore {
 public:
  // Builds everything, binds host:port and starts serving on a background
  // thread. Progress: stage "samplestore", unit "previews".
  static Result<std::unique_ptr<SampleStore>> Start(
      const StoreOptions& options, const ProgressFn& progress = {});

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  // The ground truth, with permanent faults filled in.
  const Catalogue& catalogue() const;
  // Requests answered so far (for tests and the CLI summary).
  uint64_t requests() const;
  // Of those, answered 304 Not Modified.
  uint64_t not_modified() const;
  // Publishes the next `n` held-back releases of every listing (see above).
  // Returns how many releases came out in all.
  int Publish(int n);
  // A store-side edit: the release's label changes, on its listing row and
  // its product page (new ETags). False when no release has that id.
  bool SetLabel(const std::string& release_store_id, const std::string& label);
  // Whether a release of the catalogue is out (listed, product page served).
  bool Published(const std::string& release_store_id) const;

  // Stops serving and joins the server thread. Idempotent.
  void Stop();
  ~SampleStore();

  SampleStore(const SampleStore&) = delete;
  SampleStore& operator=(const SampleStore&) = delete;

  struct Impl;

 private:
  explicit SampleStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Synthesises and encodes one track's preview (what Start does per track).
Result<std::string> MakePreviewMp3(uint64_t seed, const ReleaseTruth& release,
                                   const TrackTruth& track, double seconds,
                                   int mp3_quality = 7);

}  // namespace cratedig::samplestore
