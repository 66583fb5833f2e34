// A synthetic catalogue written straight into a database, for the export's
// tests and benchmark (400,000 tracks without crawling anything). Separate
// library (cratedig_catalogue_synthetic): no command uses it.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::catalogue {

struct SyntheticOptions {
  // Tracks to write, over releases of 1-4 tracks. Default: 1,000.
  int64_t tracks = 1000;
  // Default: 1.
  uint64_t seed = 1;
  // Every Nth title holds a comma, a quote, a line break and non-Latin
  // letters (the CSV writer's hard cases). Default: 7.
  int tricky_every = 7;
};

// Writes releases, tracks, listings (a third of the releases on two) and
// previews (half of the tracks downloaded) in one transaction.
// REQUIRES: a migrated, empty catalogue.
Status WriteSyntheticCatalogue(db::Database& db, const SyntheticOptions& o);

}  // namespace cratedig::catalogue
