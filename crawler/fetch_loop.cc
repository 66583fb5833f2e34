#include "crawler/fetch_loop.h"

#include <algorithm>

namespace cratedig::crawler {

size_t RequestsAhead(int queue_ahead, int max_hosts_in_flight) {
  return static_cast<size_t>(std::max(1, queue_ahead) *
                             std::max(1, max_hosts_in_flight));
}

Result<bool> RunFetchLoop(PoliteClient& client, size_t ahead,
                          const CancelFlag* cancel,
                          const FetchLoopHooks& hooks) {
  size_t in_flight = 0;
  bool stopping = false;
  for (;;) {
    if (!stopping && cancel != nullptr && cancel->stop()) {
      stopping = true;
      for (uint64_t tag : client.DropQueued()) {
        --in_flight;
        if (hooks.on_dropped) hooks.on_dropped(tag);
      }
    }
    if (!stopping && in_flight < ahead) {
      CRATEDIG_ASSIGN_OR_RETURN(std::vector<ClientRequest> more,
                                hooks.refill(ahead - in_flight));
      for (const ClientRequest& r : more) {
        client.Enqueue(r);
        ++in_flight;
      }
    }
    if (in_flight == 0) break;
    for (ClientResult& r : client.Step(0.25)) {
      --in_flight;
      Status s = hooks.on_result(r);
      if (!s.ok()) {
        client.DropQueued();
        return s;
      }
    }
  }
  return stopping;
}

}  // namespace cratedig::crawler
