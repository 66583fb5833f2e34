#include "crawler/polite_client.h"

#include <algorithm>
#include <limits>
#include <thread>

namespace cratedig::crawler {

namespace {
constexpr int64_t kRobotsCacheMs = 24LL * 3600 * 1000;  // RFC 9309: 24 h
}

const char* ClientOutcomeName(ClientOutcome o) {
  switch (o) {
    case ClientOutcome::kOk:
      return "ok";
    case ClientOutcome::kHttpError:
      return "http error";
    case ClientOutcome::kGaveUp:
      return "gave up";
    case ClientOutcome::kRobotsForbidden:
      return "forbidden by robots.txt";
    case ClientOutcome::kRobotsUnavailable:
      return "robots.txt unavailable";
    case ClientOutcome::kOffsite:
      return "off-site";
    case ClientOutcome::kRedirectLimit:
      return "too many redirects";
    case ClientOutcome::kTooLarge:
      return "too large";
    case ClientOutcome::kNotModified:
      return "not modified";
  }
  return "?";
}

Result<std::set<std::string>> AllowedHostsFor(
    const config::SiteProfile& profile) {
  std::set<std::string> out;
  CRATEDIG_ASSIGN_OR_RETURN(Url base, ParseUrl(profile.base_url));
  out.insert(base.HostKey());
  for (const std::string& h : profile.extra_hosts) {
    std::string lower = h;
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (lower.find(':') != std::string::npos) {
      out.insert(lower);
    } else {
      out.insert(lower + ":80");
      out.insert(lower + ":443");
    }
  }
  return out;
}

Result<ClientOptions> ClientOptionsFor(const config::SiteProfile& profile,
                                       uint64_t seed) {
  ClientOptions co;
  CRATEDIG_ASSIGN_OR_RETURN(co.allowed_hosts, AllowedHostsFor(profile));
  co.politeness = profile.politeness;
  co.user_agent = profile.user_agent;
  co.accept_encoding = profile.accept_encoding;
  co.seed = seed;
  return co;
}

PoliteClient::PoliteClient(ClientOptions options, Clock& clock,
                           db::HostsTable* hosts)
    : opt_(std::move(options)),
      clock_(clock),
      hosts_table_(hosts),
      jitter_(opt_.seed),
      politeness_(opt_.politeness, clock, jitter_),
      started_at_(clock.Now()) {}

void PoliteClient::Enqueue(const ClientRequest& req) {
  ++outstanding_;
  Pending p;
  p.req = req;
  if (p.req.max_bytes <= 0) {
    p.req.max_bytes = opt_.politeness.max_response_bytes;
  }
  auto url = ParseUrl(req.url);
  if (!url.ok()) {
    Finish(p, ClientOutcome::kOffsite, 0, url.status().message());
    return;
  }
  p.url = *url;
  Route(std::move(p), /*front=*/false);
}

PoliteClient::HostSlot& PoliteClient::SlotFor(const Url& url) {
  std::string key = url.HostKey();
  auto it = slots_.find(key);
  if (it != slots_.end()) return it->second;
  HostSlot& s = slots_[key];
  s.key = key;
  s.origin = url.Origin();
  return s;
}

void PoliteClient::Route(Pending p, bool front) {
  if (!opt_.allowed_hosts.count(p.url.HostKey())) {
    Finish(p, ClientOutcome::kOffsite, 0,
           "host not in the profile: " + p.url.Origin());
    return;
  }
  HostSlot& slot = SlotFor(p.url);
  if (front) {
    slot.queue.push_front(std::move(p));
  } else {
    slot.queue.push_back(std::move(p));
  }
}

void PoliteClient::Finish(Pending& p, ClientOutcome o, int status,
                          std::string error, std::string body,
                          int64_t content_length) {
  ClientResult r;
  r.tag = p.req.tag;
  r.url = p.req.url;
  r.final_url = p.url.host.empty() ? p.req.url : p.url.ToString();
  r.outcome = o;
  r.http_status = status;
  r.body = std::move(body);
  r.error = std::move(error);
  r.attempts = p.total_requests;
  r.content_length = content_length;
  if (o == ClientOutcome::kRobotsForbidden) {
    ++stats_.robots_forbidden;
    ++stats_.counters["robots/forbidden"];
  }
  done_.push_back(std::move(r));
  --outstanding_;
}

void PoliteClient::StartRequest(HostSlot& slot, Pending p) {
  slot.busy = true;
  ++p.attempts;
  ++p.total_requests;
  ++stats_.requests;
  ++stats_.counters["downloader/request_count"];
  uint64_t id = next_fetch_id_++;
  FetchRequest fr;
  fr.id = id;
  fr.url = p.url.ToString();
  fr.user_agent = opt_.user_agent;
  fr.accept_encoding = opt_.accept_encoding;
  fr.connect_timeout_s = opt_.politeness.connect_timeout;
  fr.timeout_s = opt_.politeness.timeout;
  fr.max_bytes = p.req.max_bytes;
  // Validators belong to the URL asked for: not to a redirect's target.
  if (!p.robots && p.hops == 0) {
    fr.if_none_match = p.req.etag;
    fr.if_modified_since = p.req.last_modified;
  }
  if (opt_.on_request) opt_.on_request(fr.url);
  in_flight_.emplace(id, std::make_pair(slot.key, std::move(p)));
  fetcher_.Start(fr);
}

void PoliteClient::RobotsDone(HostSlot& slot, int status,
                              const std::string& body) {
  if (status == 0) {
    slot.robots_state = RobotsState::kUnavailable;
    return;
  }
  slot.rules = RobotsForFetch(status, body, ProductToken(opt_.user_agent));
  slot.robots_state = RobotsState::kReady;
  politeness_.SetCrawlDelay(slot.key, slot.rules.crawl_delay());
  if (hosts_table_ != nullptr) {
    db::HostRecord rec;
    rec.origin = slot.origin;
    rec.robots_status = status;
    if (status >= 200 && status < 300) rec.robots_txt = body;
    rec.fetched_at = db::NowMs();
    (void)hosts_table_->Put(rec);  // a cache: failing to store costs a fetch
  }
}

void PoliteClient::StartReady() {
  const double now = clock_.Now();
  for (auto& [key, slot] : slots_) {
    if (slot.busy) continue;
    if (opt_.politeness.obey_robots &&
        slot.robots_state == RobotsState::kUnknown) {
      bool cached = false;
      if (hosts_table_ != nullptr) {
        auto rec = hosts_table_->Get(slot.origin);
        if (rec.ok() && rec->has_value()) {
          const db::HostRecord& h = **rec;
          bool usable = (h.robots_status >= 200 && h.robots_status < 300) ||
                        (h.robots_status >= 400 && h.robots_status < 500 &&
                         h.robots_status != 429);
          if (usable && db::NowMs() - h.fetched_at < kRobotsCacheMs) {
            slot.rules =
                RobotsForFetch(h.robots_status, h.robots_txt.value_or(""),
                               ProductToken(opt_.user_agent));
            slot.robots_state = RobotsState::kReady;
            politeness_.SetCrawlDelay(slot.key, slot.rules.crawl_delay());
            cached = true;
          }
        }
      }
      if (!cached) {
        Pending p;
        p.robots = true;
        p.req.url = slot.origin + "/robots.txt";
        p.req.max_bytes =
            std::min<int64_t>(opt_.politeness.max_response_bytes, 512 * 1024);
        p.url = *ParseUrl(p.req.url);
        slot.robots_fetch = std::move(p);
        slot.robots_state = RobotsState::kFetching;
      }
    }
    if (opt_.politeness.obey_robots &&
        slot.robots_state == RobotsState::kFetching) {
      if (slot.robots_fetch && slot.robots_fetch->not_before <= now &&
          politeness_.ReadyAt(key) <= now) {
        Pending p = std::move(*slot.robots_fetch);
        slot.robots_fetch.reset();
        StartRequest(slot, std::move(p));
      }
      continue;
    }
    if (opt_.politeness.obey_robots &&
        slot.robots_state == RobotsState::kUnavailable) {
      while (!slot.queue.empty()) {
        Pending p = std::move(slot.queue.front());
        slot.queue.pop_front();
        Finish(p, ClientOutcome::kRobotsUnavailable, 0,
               "robots.txt of " + slot.origin + " could not be fetched");
      }
      continue;
    }
    for (auto it = slot.queue.begin(); it != slot.queue.end();) {
      if (it->not_before > now) {
        ++it;
        continue;
      }
      if (opt_.politeness.obey_robots && !slot.rules.Allowed(it->url.path)) {
        Pending p = std::move(*it);
        it = slot.queue.erase(it);
        Finish(p, ClientOutcome::kRobotsForbidden, 0,
               "robots.txt disallows " + p.url.path);
        continue;
      }
      if (politeness_.ReadyAt(key) <= now) {
        Pending p = std::move(*it);
        slot.queue.erase(it);
        StartRequest(slot, std::move(p));
      }
      break;
    }
  }
}

// A 3xx: the next hop is checked (on-site, under max_redirects) and
// queued first, paced like any request; robots.txt follows same-host hops.
void PoliteClient::HandleRedirect(HostSlot& slot, const std::string& key,
                                  Pending p, const FetchResponse& r) {
  const int st = r.http_status;
  if (!r.location) {
    if (p.robots) {
      RobotsDone(slot, 0, "");
    } else {
      Finish(p, ClientOutcome::kHttpError, st, "redirect without Location");
    }
    return;
  }
  auto next = ResolveUrl(p.url, *r.location);
  ClientOutcome bad = ClientOutcome::kOk;
  std::string why;
  if (!next.ok()) {
    bad = ClientOutcome::kOffsite;
    why = "redirect refused: " + next.status().message();
  } else if (!opt_.allowed_hosts.count(next->HostKey())) {
    bad = ClientOutcome::kOffsite;
    why = "redirect to a host not in the profile: " + next->ToString();
  } else if (p.hops + 1 > opt_.politeness.max_redirects) {
    bad = ClientOutcome::kRedirectLimit;
    why = "more than " + std::to_string(opt_.politeness.max_redirects) +
          " redirects";
  }
  if (p.robots) {
    // Follow robots.txt redirects on the same host only; anything else
    // leaves the host's rules unknown, so nothing is fetched from it.
    if (bad != ClientOutcome::kOk || next->HostKey() != key) {
      RobotsDone(slot, 0, "");
      return;
    }
  } else if (bad != ClientOutcome::kOk) {
    Finish(p, bad, st, why);
    return;
  }
  ++stats_.redirects;
  ++stats_.counters["redirect/count"];
  p.url = *next;
  ++p.hops;
  p.attempts = 0;
  p.not_before = 0;
  if (p.robots) {
    slot.robots_fetch = std::move(p);
  } else {
    Route(std::move(p), /*front=*/true);
  }
}

void PoliteClient::Handle(FetchResponse r) {
  auto it = in_flight_.find(r.id);
  if (it == in_flight_.end()) return;
  std::string key = it->second.first;
  Pending p = std::move(it->second.second);
  in_flight_.erase(it);
  HostSlot& slot = slots_[key];
  slot.busy = false;
  stats_.bytes += static_cast<int64_t>(r.body.size());
  stats_.counters["downloader/connections_opened"] += r.new_connections;
  stats_.counters["downloader/response_bytes"] +=
      static_cast<int64_t>(r.body.size());
  if (r.http_status == 0) {
    ++stats_.counters["downloader/exception_count"];
  } else {
    ++stats_.counters["downloader/response_status_count/" +
                      std::to_string(r.http_status)];
  }
  if (r.http_status == 429) ++stats_.http_429;

  ResponseInfo info;
  info.http_status = r.http_status;
  info.retry_after = r.retry_after;
  info.too_large = r.too_large;
  info.error = r.error;
  RetryDecision d = politeness_.OnResponse(key, info, p.attempts);
  const int st = r.http_status;

  if (d.verdict == RetryDecision::kRetry) {
    ++stats_.retries;
    ++stats_.counters["retry/count"];
    ++stats_.counters["retry/reason_count/" +
                      (st == 0 ? std::string("network error")
                               : std::to_string(st))];
    p.not_before = d.retry_at;
    if (p.robots) {
      slot.robots_fetch = std::move(p);
    } else {
      Route(std::move(p), /*front=*/true);
    }
    return;
  }
  if (d.verdict == RetryDecision::kFail) {
    if (p.robots) {
      bool client_error = st >= 400 && st < 500 && st != 429;
      RobotsDone(slot, client_error ? st : 0, "");
      return;
    }
    ClientOutcome o = r.too_large ? ClientOutcome::kTooLarge
                      : (st == 0 || st == 408 || st == 429 || st >= 500)
                          ? ClientOutcome::kGaveUp
                          : ClientOutcome::kHttpError;
    Finish(p, o, st, d.reason, {}, r.content_length);
    done_.back().truncated = r.truncated;
    return;
  }
  if (st == 304 && !p.robots) {
    ++stats_.not_modified;
    Finish(p, ClientOutcome::kNotModified, st, "");
    return;
  }
  if (st >= 300 && st < 400) {
    HandleRedirect(slot, key, std::move(p), r);
    return;
  }
  if (p.robots) {
    RobotsDone(slot, st, r.body);
    return;
  }
  const size_t at = done_.size();
  Finish(p, ClientOutcome::kOk, st, "", std::move(r.body), r.content_length);
  done_[at].etag = std::move(r.etag);
  done_[at].last_modified = std::move(r.last_modified);
}

double PoliteClient::NextWake() const {
  double wake = std::numeric_limits<double>::infinity();
  for (const auto& [key, slot] : slots_) {
    if (slot.busy) continue;
    double ready = politeness_.ReadyAt(key);
    if (slot.robots_state == RobotsState::kFetching) {
      if (slot.robots_fetch) {
        wake = std::min(wake, std::max(ready, slot.robots_fetch->not_before));
      }
      continue;
    }
    if (slot.robots_state == RobotsState::kUnknown && !slot.queue.empty()) {
      return 0;
    }
    for (const Pending& p : slot.queue) {
      wake = std::min(wake, std::max(ready, p.not_before));
    }
  }
  return wake;
}

std::vector<ClientResult> PoliteClient::Step(double max_wait_s) {
  const double deadline = clock_.Now() + max_wait_s;
  for (;;) {
    StartReady();
    std::vector<FetchResponse> got = fetcher_.Poll(0);
    for (FetchResponse& r : got) Handle(std::move(r));
    if (!got.empty()) StartReady();  // keep hosts busy while we process
    if (!done_.empty()) break;
    if (outstanding_ == 0) break;
    double now = clock_.Now();
    if (now >= deadline) break;
    double wait = std::min(deadline, NextWake()) - now;
    if (wait < 0) wait = 0;
    if (fetcher_.InFlight() > 0) {
      for (FetchResponse& r : fetcher_.Poll(std::max(wait, 0.001))) {
        Handle(std::move(r));
      }
    } else if (wait > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
  }
  std::vector<ClientResult> out;
  out.swap(done_);
  return out;
}

std::vector<uint64_t> PoliteClient::DropQueued() {
  std::vector<uint64_t> tags;
  for (auto& [key, slot] : slots_) {
    for (const Pending& p : slot.queue) tags.push_back(p.req.tag);
    outstanding_ -= slot.queue.size();
    slot.queue.clear();
  }
  return tags;
}

}  // namespace cratedig::crawler
