// libFuzzer target: the JSON reader and writer (core/json.h): Parse of any
// text, SetMember on a stored metrics column (model_runs.metrics is read
// back and extended by evaluate, train and evaluate-recs), and Dump of
// strings holding any bytes (store pages are not always valid UTF-8).
// Properties: never crash or hang; Dump always writes JSON that Parse
// accepts; Parse(Dump(v)) == v; SetMember keeps a valid object holding the
// key, or says Corrupt.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json.h"

namespace json = cratedig::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = json::Parse(text);
  if (v.ok()) {
    auto again = json::Parse(json::Dump(*v));
    if (!again.ok() || *again != *v) std::abort();
  }
  // The input as a metrics column; its first line (any bytes) as the key.
  std::string key(text.substr(0, text.find('\n')));
  auto m = json::SetMember(text, key, json::Json({{"accuracy", 0.5}}));
  if (m.ok()) {
    auto o = json::Parse(*m);
    if (!o.ok() || !o->is_object()) std::abort();
  } else if (m.status().code() != cratedig::StatusCode::kCorrupt) {
    std::abort();
  }
  // Raw bytes as a string value and as a key: still valid JSON.
  json::Json raw = {{std::string(text), std::string(text)}};
  if (!json::Parse(json::Dump(raw)).ok()) std::abort();
  return 0;
}
