#include "crawler/listing_membership.h"

namespace cratedig::crawler {

Status ListingMembership::Prepare(int rank,
                                  std::vector<db::ReleaseRecord>& records) {
  for (db::ReleaseRecord& r : records) {
    CRATEDIG_ASSIGN_OR_RETURN(auto best, listings_.Best(r.store_id));
    if (best && best->rank < rank) {
      // NULL never overwrites in the merge, so the stored genres (those of
      // the better listing) stay when it gave none.
      r.store_genre = best->store_genre;
      r.parent_genre = best->parent_genre;
    }
  }
  return Status::Ok();
}

Status ListingMembership::Record(const std::string& listing, int rank,
                                 int64_t page_id,
                                 const std::vector<ParsedRelease>& releases,
                                 const std::vector<int64_t>& ids) {
  for (size_t i = 0; i < releases.size() && i < ids.size(); ++i) {
    db::ReleaseListingRecord m;
    m.release_id = ids[i];
    m.listing = listing;
    m.rank = rank;
    m.store_genre = releases[i].store_genre;
    m.parent_genre = releases[i].parent_genre;
    m.page_id = page_id;
    CRATEDIG_RETURN_IF_ERROR(listings_.Put(m));
  }
  return Status::Ok();
}

}  // namespace cratedig::crawler
