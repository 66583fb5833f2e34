// The few JSON helpers the trainer needs to write model_runs.metrics.
//
// The metrics column is one JSON object shared by stages ("training",
// "evaluation" from the trainer, "recommendations" from the recommender), so
// each writer replaces only its own top-level member and keeps the others.
#pragma once

#include <string>

#include "core/status.h"

namespace cratedig::trainer {

// A JSON number ("null" for NaN or infinity, which JSON cannot hold).
std::string JsonNumber(double v);
// A quoted, escaped JSON string.
std::string JsonString(const std::string& s);

// Returns `object` (JSON object text; empty means {}) with top-level member
// `key` set to `raw_value` (JSON text, inserted verbatim), replacing an
// existing member of that name and keeping the others in order. Corrupt when
// `object` is not a JSON object.
Result<std::string> SetJsonMember(const std::string& object,
                                  const std::string& key,
                                  const std::string& raw_value);

}  // namespace cratedig::trainer
