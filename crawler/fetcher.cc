#include "crawler/fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace cratedig::crawler {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::optional<std::string> Header(CURL* easy, const char* name) {
  struct curl_header* h = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK ||
      h == nullptr) {
    return std::nullopt;
  }
  return std::string(h->value);
}

}  // namespace

struct Fetcher::Transfer {
  FetchRequest req;
  CURL* easy = nullptr;
  std::string body;
  curl_slist* headers = nullptr;  // owned; freed with the transfer
  bool too_large = false;
  char errbuf[CURL_ERROR_SIZE] = {0};

  static size_t Write(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t bytes = size * n;
    if (static_cast<int64_t>(t->body.size() + bytes) > t->req.max_bytes) {
      t->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->body.append(data, bytes);
    return bytes;
  }
};

Fetcher::Fetcher() {
  GlobalInit();
  multi_ = curl_multi_init();
}

Fetcher::~Fetcher() {
  for (auto& [easy, t] : transfers_) {
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
  }
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void Fetcher::Start(const FetchRequest& req) {
  auto t = std::make_unique<Transfer>();
  t->req = req;
  CURL* e = curl_easy_init();
  t->easy = e;
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption opt, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, value);
  };
  set(CURLOPT_URL, req.url.c_str());
  set(CURLOPT_USERAGENT, req.user_agent.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(req.connect_timeout_s * 1000));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_s * 1000));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_bytes));
  if (!req.accept_encoding.empty()) {
    set(CURLOPT_ACCEPT_ENCODING, req.accept_encoding.c_str());
  }
  if (req.if_none_match) {
    t->headers = curl_slist_append(
        t->headers, ("If-None-Match: " + *req.if_none_match).c_str());
  }
  if (req.if_modified_since) {
    t->headers = curl_slist_append(
        t->headers, ("If-Modified-Since: " + *req.if_modified_since).c_str());
  }
  if (t->headers != nullptr) set(CURLOPT_HTTPHEADER, t->headers);
  set(CURLOPT_WRITEFUNCTION, &Transfer::Write);
  set(CURLOPT_WRITEDATA, static_cast<void*>(t.get()));
  set(CURLOPT_ERRORBUFFER, t->errbuf);
  if (rc == CURLE_OK) {
    CURLMcode mc = curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
    if (mc == CURLM_OK) {
      transfers_[e] = std::move(t);
      return;
    }
  }
  FetchResponse r;
  r.id = req.id;
  r.url = req.url;
  r.error = std::string("cannot start request: ") + curl_easy_strerror(rc);
  curl_easy_cleanup(e);
  curl_slist_free_all(t->headers);
  failed_to_start_.push_back(std::move(r));
}

std::vector<FetchResponse> Fetcher::Poll(double timeout_s) {
  std::vector<FetchResponse> out;
  out.swap(failed_to_start_);
  auto* m = static_cast<CURLM*>(multi_);
  auto collect = [&] {
    int running = 0;
    curl_multi_perform(m, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      auto it = transfers_.find(e);
      if (it == transfers_.end()) continue;
      Transfer& t = *it->second;
      FetchResponse r;
      r.id = t.req.id;
      r.url = t.req.url;
      r.too_large = t.too_large;
      CURLcode code = msg->data.result;
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      curl_off_t cl = -1;
      curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
      curl_off_t total_us = 0;
      curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
      r.content_length = cl;
      long connects = 0;
      curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
      r.new_connections = connects;
      r.seconds = static_cast<double>(total_us) / 1e6;
      if (code == CURLE_FILESIZE_EXCEEDED) r.too_large = true;
      r.truncated = code == CURLE_PARTIAL_FILE;
      if (code == CURLE_OK) {
        r.http_status = static_cast<int>(status);
        r.location = Header(e, "Location");
        r.retry_after = Header(e, "Retry-After");
        r.etag = Header(e, "ETag");
        r.last_modified = Header(e, "Last-Modified");
        r.body = std::move(t.body);
      } else {
        // No usable response: truncated, reset, timed out, cut by the cap.
        r.http_status = 0;
        r.error =
            t.errbuf[0] ? std::string(t.errbuf) : curl_easy_strerror(code);
        if (r.too_large) r.error = "response larger than the size cap";
        // A 429/503 cut short still told us to back off.
        if (status >= 400) r.retry_after = Header(e, "Retry-After");
      }
      curl_multi_remove_handle(m, e);
      curl_easy_cleanup(e);
      curl_slist_free_all(t.headers);
      transfers_.erase(it);
      out.push_back(std::move(r));
    }
  };
  collect();
  if (out.empty() && !transfers_.empty() && timeout_s > 0) {
    int numfds = 0;
    curl_multi_poll(m, nullptr, 0,
                    std::max(1, static_cast<int>(timeout_s * 1000)), &numfds);
    collect();
  }
  return out;
}

}  // namespace cratedig::crawler
