#include "catalogue/columns.h"

#include <set>

namespace cratedig::catalogue {

namespace {

// Lists are built in SQL with the ASCII unit separator (never in a genre
// name or slug) and split by the row source. SQLite keeps the order of the
// inner ORDER BY in group_concat over a subquery.
std::string ListSql(const std::string& what) {
  return "(SELECT group_concat(v, char(31)) FROM (SELECT " + what +
         " AS v FROM release_listings WHERE release_id = r.id AND " + what +
         " IS NOT NULL GROUP BY " + what + " ORDER BY MIN(rank), " + what +
         "))";
}

std::vector<Column> ReleaseFields() {
  return {
      {"label", ValueType::kText, "r.label", "record label"},
      {"catalogue_number", ValueType::kText, "r.catalogue_number",
       "the label's catalogue number"},
      {"release_date", ValueType::kText, "r.release_date",
       "release date, yyyy-mm-dd"},
      {"store_genre", ValueType::kText, "r.store_genre",
       "the store's genre of the release (of its best-ranked listing)"},
      {"parent_genre", ValueType::kText, "r.parent_genre",
       "one of the nine parent genres; empty/null when unmapped"},
      {"listings", ValueType::kList, ListSql("listing"),
       "every listing (store genre slug) the release was listed under, "
       "best-ranked first",
       true},
      {"store_genres", ValueType::kList, ListSql("store_genre"),
       "the distinct genre texts the release showed on those listings", true},
      {"parent_genres", ValueType::kList, ListSql("parent_genre"),
       "the distinct parent genres of those listings", true},
  };
}

std::vector<Column> MakeTrackColumns() {
  std::vector<Column> c = {
      {"track_id", ValueType::kInt, "t.id", "cratedig's track id"},
      {"track_store_id", ValueType::kText, "t.store_id",
       "the store's track id, <titleId>-<productId>-01-<NN>"},
      {"release_store_id", ValueType::kText, "r.store_id",
       "the store's release id, <titleId>-<productId>"},
      {"position", ValueType::kInt, "t.position",
       "1-based place on the release"},
      {"artist", ValueType::kText, "t.artist", "track artist"},
      {"title", ValueType::kText, "t.title", "track title (with its mix)"},
      {"release_artist", ValueType::kText, "r.artist",
       "release artist (\"Various\" for compilations)"},
      {"release_title", ValueType::kText, "r.title", "release title"},
  };
  for (Column& f : ReleaseFields()) c.push_back(std::move(f));
  std::vector<Column> rest = {
      {"duration_s", ValueType::kReal, "t.duration_s",
       "the full track's length in seconds"},
      {"bpm", ValueType::kReal, "t.bpm", "beats per minute"},
      {"preview_url", ValueType::kText, "t.preview_url",
       "the store's mp3 preview; empty/null when the track has none"},
      {"preview_downloaded", ValueType::kBool, "COALESCE(p.status = 'ok', 0)",
       "true when `cratedig download` stored a checked copy"},
      {"preview_file", ValueType::kText,
       "CASE WHEN p.status = 'ok' THEN p.path END",
       "absolute path of that copy (previews/<sha256>.mp3)"},
      {"url", ValueType::kText, "r.url", "the release's product page"},
  };
  for (Column& f : rest) c.push_back(std::move(f));
  return c;
}

std::vector<Column> MakeReleaseColumns() {
  std::vector<Column> c = {
      {"release_id", ValueType::kInt, "r.id", "cratedig's release id"},
      {"release_store_id", ValueType::kText, "r.store_id",
       "the store's release id, <titleId>-<productId>"},
      {"artist", ValueType::kText, "r.artist",
       "release artist (\"Various\" for compilations)"},
      {"title", ValueType::kText, "r.title", "release title"},
  };
  for (Column& f : ReleaseFields()) c.push_back(std::move(f));
  std::vector<Column> rest = {
      {"tracks", ValueType::kInt,
       "(SELECT COUNT(*) FROM tracks t2 WHERE t2.release_id = r.id)",
       "tracks stored for the release"},
      {"duration_s", ValueType::kReal,
       "(SELECT SUM(t2.duration_s) FROM tracks t2 WHERE t2.release_id = "
       "r.id)",
       "sum of the track lengths in seconds"},
      {"previews_downloaded", ValueType::kInt,
       "(SELECT COUNT(*) FROM tracks t2 JOIN previews p2 ON p2.track_id = "
       "t2.id AND p2.status = 'ok' WHERE t2.release_id = r.id)",
       "tracks whose preview `cratedig download` stored"},
      {"url", ValueType::kText, "r.url", "the release's product page"},
  };
  for (Column& f : rest) c.push_back(std::move(f));
  return c;
}

}  // namespace

const std::vector<Column>& Columns(RowKind kind) {
  static const std::vector<Column> kTrack = MakeTrackColumns();
  static const std::vector<Column> kRelease = MakeReleaseColumns();
  return kind == RowKind::kTrack ? kTrack : kRelease;
}

namespace {

// The error for a field name that is not a column, with the valid names.
Status UnknownField(const std::string& name, RowKind kind) {
  std::string valid;
  for (const Column& c : Columns(kind)) {
    if (!valid.empty()) valid += ',';
    valid += c.name;
  }
  return Status::InvalidArgument(
      "unknown field '" + name + "' for " +
      (kind == RowKind::kTrack ? "track" : "release") +
      " rows; valid: " + valid);
}

}  // namespace

Result<std::vector<Column>> SelectColumns(
    RowKind kind, const std::vector<std::string>& names) {
  const std::vector<Column>& all = Columns(kind);
  if (names.empty()) return all;
  std::vector<Column> out;
  std::set<std::string> seen;
  for (const std::string& n : names) {
    const Column* found = nullptr;
    for (const Column& c : all) {
      if (c.name == n) found = &c;
    }
    if (found == nullptr) return UnknownField(n, kind);
    if (!seen.insert(n).second) {
      return Status::InvalidArgument("field '" + n + "' named twice");
    }
    out.push_back(*found);
  }
  return out;
}

}  // namespace cratedig::catalogue
