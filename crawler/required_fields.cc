#include "crawler/required_fields.h"

namespace cratedig::crawler {

const std::vector<std::string>& RequiredFieldNames() {
  static const std::vector<std::string> kNames = {
      "preview_url", "genre", "duration",         "bpm",         "artist",
      "title",       "label", "catalogue_number", "release_date"};
  return kNames;
}

namespace {

template <typename Get>
bool EveryTrackHas(const ParsedRelease& r, Get get) {
  if (r.tracks.empty()) return false;
  for (const ParsedTrack& t : r.tracks) {
    if (!get(t)) return false;
  }
  return true;
}

bool RowHas(const ParsedRelease& r, const std::string& field) {
  if (field == "preview_url") {
    for (const ParsedTrack& t : r.tracks) {
      if (t.preview_url) return true;
    }
    return false;
  }
  if (field == "genre") return r.store_genre.has_value();
  if (field == "duration") {
    return EveryTrackHas(
        r, [](const ParsedTrack& t) { return t.duration_s.has_value(); });
  }
  if (field == "bpm") {
    return EveryTrackHas(
        r, [](const ParsedTrack& t) { return t.bpm.has_value(); });
  }
  if (field == "artist") {
    return r.artist && EveryTrackHas(r, [](const ParsedTrack& t) {
             return t.artist.has_value();
           });
  }
  if (field == "title") {
    return r.title && EveryTrackHas(r, [](const ParsedTrack& t) {
             return t.title.has_value();
           });
  }
  if (field == "label") return r.label.has_value();
  if (field == "catalogue_number") return r.catalogue_number.has_value();
  if (field == "release_date") return r.release_date.has_value();
  return false;  // unknown names are refused when the profile is read
}

}  // namespace

std::vector<std::string> MissingRequired(
    const ParsedRelease& row, const std::vector<std::string>& required) {
  std::vector<std::string> out;
  for (const std::string& f : required) {
    if (!RowHas(row, f)) out.push_back(f);
  }
  return out;
}

}  // namespace cratedig::crawler
