#include "crawler/field_yield.h"

#include <optional>
#include <string>

namespace cratedig::crawler {

namespace {

template <typename T>
void Count(db::PageFieldCount& c, const std::optional<T>& v) {
  ++c.total;
  if (v) ++c.present;
}

}  // namespace

std::vector<db::PageFieldCount> CountFields(
    const std::vector<const ParsedRelease*>& releases, bool with_previews) {
  std::vector<db::PageFieldCount> rel = {
      {"release", "artist"},       {"release", "title"},
      {"release", "label"},        {"release", "catalogue_number"},
      {"release", "release_date"}, {"release", "store_genre"}};
  std::vector<db::PageFieldCount> trk = {{"track", "artist"},
                                         {"track", "title"},
                                         {"track", "duration_s"},
                                         {"track", "bpm"}};
  if (with_previews) trk.push_back({"track", "preview_url"});
  for (const ParsedRelease* r : releases) {
    Count(rel[0], r->artist);
    Count(rel[1], r->title);
    Count(rel[2], r->label);
    Count(rel[3], r->catalogue_number);
    Count(rel[4], r->release_date);
    Count(rel[5], r->store_genre);
    for (const ParsedTrack& t : r->tracks) {
      Count(trk[0], t.artist);
      Count(trk[1], t.title);
      Count(trk[2], t.duration_s);
      Count(trk[3], t.bpm);
      if (with_previews) Count(trk[4], t.preview_url);
    }
  }
  std::vector<db::PageFieldCount> out = rel;
  out.insert(out.end(), trk.begin(), trk.end());
  return out;
}

}  // namespace cratedig::crawler
