// FetchLoop: the request loop shared by the crawl, the listing refresh and
// the preview download. It keeps up to `ahead` logical requests handed to a
// PoliteClient (so politeness, not the caller, paces them), passes each
// result to the caller, and on cancel drops what has not started while
// letting what is in flight finish and be handled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/progress.h"
#include "core/status.h"
#include "crawler/polite_client.h"

namespace cratedig::crawler {

struct FetchLoopHooks {
  // New requests, at most `room` of them. Returning none while nothing is
  // in flight ends the loop (only a result can produce more work).
  std::function<Result<std::vector<ClientRequest>>(size_t room)> refill;
  // Called once per finished request, in completion order. An error stops
  // the loop and is returned (requests still queued are dropped).
  std::function<Status(ClientResult& result)> on_result;
  // Called for each request dropped unstarted by a cancel. May be empty.
  std::function<void(uint64_t tag)> on_dropped;
};

// Requests to keep handed to the client: queue_ahead per host slot.
size_t RequestsAhead(int queue_ahead, int max_hosts_in_flight);

// Runs until the source is dry and nothing is in flight, or cancel. Returns
// true when it stopped for `cancel`.
Result<bool> RunFetchLoop(PoliteClient& client, size_t ahead,
                          const CancelFlag* cancel,
                          const FetchLoopHooks& hooks);

}  // namespace cratedig::crawler
