// Listing-first crawling: does a listing row carry everything the profile
// requires, or must the release's product page be fetched too?
//
// The profile's `required` names fields; a row lacks
//   preview_url  when it lists no track, or none of its tracks has a preview
//                link (a row that carries previews and shows a track without
//                one means the store has no preview for that track: its
//                product page has none either);
//   genre        when it shows no store genre;
//   duration, bpm when it lists no track, or any track lacks it;
//   artist, title when the release or any of its tracks lacks it;
//   label, catalogue_number, release_date when the release lacks it.
#pragma once

#include <string>
#include <vector>

#include "crawler/page_parser.h"

namespace cratedig::crawler {

// The names `required` may hold.
const std::vector<std::string>& RequiredFieldNames();

// The required fields the row lacks, in `required` order; empty: the row
// is enough and no product page is needed.
std::vector<std::string> MissingRequired(
    const ParsedRelease& row, const std::vector<std::string>& required);

}  // namespace cratedig::crawler
