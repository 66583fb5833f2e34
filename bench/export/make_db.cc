// export_make_db DB TRACKS: writes a synthetic catalogue (catalogue/
// synthetic.h) of TRACKS tracks into a new database DB.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "catalogue/synthetic.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: export_make_db DB TRACKS\n");
    return 2;
  }
  if (std::filesystem::exists(argv[1])) {
    std::fprintf(stderr, "export_make_db: %s exists\n", argv[1]);
    return 2;
  }
  auto db = cratedig::db::Database::Open(argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  cratedig::catalogue::SyntheticOptions o;
  o.tracks = std::atoll(argv[2]);
  cratedig::Status st = cratedig::catalogue::WriteSyntheticCatalogue(**db, o);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
