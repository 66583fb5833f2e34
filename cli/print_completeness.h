// Prints catalogue::CompletenessReport (`cratedig status --fields`).
#pragma once

#include <cstdio>

#include "catalogue/completeness.h"

namespace cratedig::cli {

// Tables to `out`; each warning also goes to stderr as "warning: ...".
void PrintCompleteness(const catalogue::CompletenessReport& r,
                       const catalogue::CompletenessOptions& o, std::FILE* out);

}  // namespace cratedig::cli
