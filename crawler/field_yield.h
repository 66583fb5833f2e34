// FieldYield: how many of a parsed page's records had each field.
//
// Stored per page (db::PageFieldsTable), these counts are what the
// field-completeness report compares between the newest pages and the
// earlier ones: a selector that silently stops matching after a markup
// change shows as a field dropping in the newest pages, even when another
// page kind still fills the stored record.
#pragma once

#include <vector>

#include "crawler/page_parser.h"
#include "db/listing_tables.h"

namespace cratedig::crawler {

// Release fields (artist, title, label, catalogue_number, release_date,
// store_genre) over `releases`, and track fields (artist, title,
// duration_s, bpm, and preview_url when `with_previews`) over their
// tracks. Names are the export's column names.
std::vector<db::PageFieldCount> CountFields(
    const std::vector<const ParsedRelease*>& releases, bool with_previews);

}  // namespace cratedig::crawler
