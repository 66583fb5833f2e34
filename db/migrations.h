// Versioned schema migrations. Each migration runs in its own transaction
// and bumps PRAGMA user_version, so a crash mid-migration leaves the
// database at the previous version, never half-migrated.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"

namespace cratedig::db {

class Database;

struct Migration {
  int version;           // user_version after this migration
  std::string_view sql;  // the statements, run as one script
};

// All migrations, in order; versions are 1, 2, 3, ...
const std::vector<Migration>& Migrations();

// Applies every migration above the current version, up to `target`
// (-1: all). A database newer than this binary is an error, not a downgrade.
Status Migrate(Database& db, int target);

}  // namespace cratedig::db
