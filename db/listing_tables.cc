#include "db/listing_tables.h"

namespace cratedig::db {

namespace {

constexpr std::string_view kCols =
    "release_id, listing, rank, store_genre, parent_genre, page_id, seen_at";

ReleaseListingRecord ReadListing(const Statement& s) {
  ReleaseListingRecord r;
  r.release_id = s.Int(0);
  r.listing = s.Text(1);
  r.rank = static_cast<int>(s.Int(2));
  r.store_genre = s.OptText(3);
  r.parent_genre = s.OptText(4);
  r.page_id = s.OptInt(5);
  r.seen_at = s.Int(6);
  return r;
}

}  // namespace

Status ReleaseListingsTable::Put(const ReleaseListingRecord& r) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("INSERT OR REPLACE INTO release_listings (release_id, "
                  "listing, rank, store_genre, parent_genre, page_id, "
                  "seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st.BindAll(r.release_id, r.listing, r.rank, r.store_genre, r.parent_genre,
             r.page_id, NowMs());
  return st.Run();
}

Result<std::optional<ReleaseListingRecord>> ReleaseListingsTable::Best(
    const std::string& release_store_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT rl.release_id, rl.listing, rl.rank, rl.store_genre, "
                  "rl.parent_genre, rl.page_id, rl.seen_at FROM "
                  "release_listings rl JOIN releases r ON r.id = "
                  "rl.release_id WHERE r.store_id = ? ORDER BY rl.rank, "
                  "rl.listing LIMIT 1"));
  st.Bind(1, release_store_id);
  return st.One(ReadListing);
}

Result<std::vector<ReleaseListingRecord>> ReleaseListingsTable::ListFor(
    int64_t release_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT " + std::string(kCols) +
                  " FROM release_listings WHERE release_id = ? ORDER BY "
                  "rank, listing"));
  st.Bind(1, release_id);
  return st.All(ReadListing);
}

Status PageFieldsTable::Put(int64_t page_id,
                            const std::vector<PageFieldCount>& counts) {
  return db_.InTransaction([&]() -> Status {
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement del,
        db_.Prepare("DELETE FROM page_fields WHERE page_id = ?"));
    del.Bind(1, page_id);
    CRATEDIG_RETURN_IF_ERROR(del.Run());
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement ins,
        db_.Prepare("INSERT INTO page_fields (page_id, record, field, "
                    "present, total) VALUES (?, ?, ?, ?, ?)"));
    for (const PageFieldCount& c : counts) {
      ins.Reset();
      ins.BindAll(page_id, c.record, c.field, c.present, c.total);
      CRATEDIG_RETURN_IF_ERROR(ins.Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<PageFieldCount>> PageFieldsTable::Get(int64_t page_id) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT record, field, present, total FROM page_fields "
                  "WHERE page_id = ? ORDER BY record, field"));
  st.Bind(1, page_id);
  std::vector<PageFieldCount> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Text(0), st.Text(1), st.Int(2), st.Int(3)});
  }
  return out;
}

}  // namespace cratedig::db
