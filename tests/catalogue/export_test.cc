// The catalogue export: CSV through a strict RFC 4180 reader, JSON Lines and
// JSON parsed back, field selection, filters, the read-only contract and
// atomic output.
#include "catalogue/export.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../db/test_db.h"
#include "catalogue/synthetic.h"
#include "core/files.h"
#include "db/catalogue_tables.h"
#include "db/listing_tables.h"
#include "tests/catalogue/strict_csv.h"

namespace cratedig::catalogue {
namespace {

db::ReleaseListingRecord L(int64_t release, const std::string& listing,
                           int rank, std::optional<std::string> store = {},
                           std::optional<std::string> parent = {}) {
  db::ReleaseListingRecord r;
  r.release_id = release;
  r.listing = listing;
  r.rank = rank;
  r.store_genre = std::move(store);
  r.parent_genre = std::move(parent);
  return r;
}

namespace fs = std::filesystem;
using testing::ParseStrictCsv;

const std::string kTrickyTitle =
    "He said \"hi\", then\nleft \xE2\x80\x94 \xD0\x94\xD0\xBE\xD0\xB6\xD0\xB4"
    "\xD1\x8C / \xE5\xA4\x9C\xE6\x98\x8E\xE3\x81\x91\r\n(Søren's, \"VIP\")";

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_dir_ = fs::path(path_.path()).parent_path() / "out";
    fs::create_directories(out_dir_);
  }
  // One release on two listings with a tricky title, and one plain one.
  void MakeSmallDb() {
    auto db = db::Database::Open(path_.path());
    ASSERT_TRUE(db.ok());
    db::ReleasesTable releases(**db);
    db::TracksTable tracks(**db);
    db::ReleaseRecord r;
    r.store_id = "1234567-01";
    r.url = "http://127.0.0.1/products/a/1234567-01/";
    r.artist = "Kerr, Søren";
    r.title = kTrickyTitle;
    r.label = "Label \"Q\"";
    r.catalogue_number = "Q001";
    r.release_date = "2021-05-04";
    r.store_genre = "Indie";
    r.parent_genre = "Rock/Indie";
    auto ids = releases.MergeMany({r}, true);
    ASSERT_TRUE(ids.ok());
    db::ReleaseRecord r2;
    r2.store_id = "7654321-02";
    r2.url = "http://127.0.0.1/products/b/7654321-02/";
    r2.title = "Plain";
    r2.release_date = "2010-01-01";
    r2.store_genre = "Techno";
    auto ids2 = releases.MergeMany({r2}, true);
    ASSERT_TRUE(ids2.ok());
    db::ReleaseListingsTable listings(**db);
    ASSERT_TRUE(
        listings.Put(L((*ids)[0], "rock", 8, "Indie", "Rock/Indie")).ok());
    ASSERT_TRUE(
        listings.Put(L((*ids)[0], "indie", 7, "Indie", "Rock/Indie")).ok());
    ASSERT_TRUE(listings.Put(L((*ids2)[0], "techno", 11, "Techno", {})).ok());
    db::TrackRecord t1;
    t1.release_id = (*ids)[0];
    t1.store_id = "1234567-01-01-01";
    t1.position = 1;
    t1.artist = "Kerr, Søren";
    t1.title = kTrickyTitle;
    t1.bpm = 128;
    t1.duration_s = 372.5;
    t1.preview_url = "http://127.0.0.1/MP3/SF1234567-01-01-01.mp3";
    db::TrackRecord t2 = t1;
    t2.store_id = "1234567-01-01-02";
    t2.position = 2;
    t2.title = "B";
    t2.bpm.reset();
    t2.preview_url.reset();
    db::TrackRecord t3;
    t3.release_id = (*ids2)[0];
    t3.store_id = "7654321-02-01-01";
    t3.position = 1;
    t3.title = "Plain";
    ASSERT_TRUE(tracks.MergeMany({t1, t2, t3}, true).ok());
    auto stored = tracks.GetByStoreId(t1.store_id);
    ASSERT_TRUE(stored.ok() && *stored);
    db::PreviewsTable previews(**db);
    db::PreviewRecord p;
    p.track_id = (*stored)->id;
    p.url = *t1.preview_url;
    p.status = db::PreviewStatus::kOk;
    p.path = "/data/previews/ab.mp3";
    ASSERT_TRUE(previews.Put(p).ok());
  }
  std::string Read(const fs::path& p) {
    auto s = ReadFile(p);
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : "";
  }
  Result<ExportStats> Export(ExportOptions o) {
    std::ostringstream sink;
    return RunExport(path_.path(), o, sink);
  }

  db::testing::TempDbPath path_;
  fs::path out_dir_;
};

size_t Col(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST_F(ExportTest, CsvRoundTripsQuotesCommasNewlinesAndNonLatinText) {
  MakeSmallDb();
  ExportOptions o;
  o.out = (out_dir_ / "tracks.csv").string();
  auto st = Export(o);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->rows, 3);
  std::string error;
  auto recs = ParseStrictCsv(Read(o.out), &error);
  ASSERT_TRUE(recs) << error;
  ASSERT_EQ(recs->size(), 4u);  // header + 3 tracks
  const auto& h = (*recs)[0];
  ASSERT_EQ(h.size(), Columns(RowKind::kTrack).size());
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h[i], Columns(RowKind::kTrack)[i].name);
  }
  const auto& a = (*recs)[1];
  EXPECT_EQ(a[Col(h, "title")], kTrickyTitle);
  EXPECT_EQ(a[Col(h, "release_title")], kTrickyTitle);
  EXPECT_EQ(a[Col(h, "artist")], "Kerr, Søren");
  EXPECT_EQ(a[Col(h, "label")], "Label \"Q\"");
  EXPECT_EQ(a[Col(h, "bpm")], "128");
  EXPECT_EQ(a[Col(h, "duration_s")], "372.5");
  EXPECT_EQ(a[Col(h, "listings")], "indie|rock");  // best-ranked first
  EXPECT_EQ(a[Col(h, "store_genres")], "Indie");
  EXPECT_EQ(a[Col(h, "parent_genres")], "Rock/Indie");
  EXPECT_EQ(a[Col(h, "preview_downloaded")], "true");
  EXPECT_EQ(a[Col(h, "preview_file")], "/data/previews/ab.mp3");
  const auto& b = (*recs)[2];
  EXPECT_EQ(b[Col(h, "bpm")], "");  // NULL
  EXPECT_EQ(b[Col(h, "preview_url")], "");
  EXPECT_EQ(b[Col(h, "preview_downloaded")], "false");
  const auto& c = (*recs)[3];
  EXPECT_EQ(c[Col(h, "parent_genre")], "");
  EXPECT_EQ(c[Col(h, "listings")], "techno");
}

TEST_F(ExportTest, SyntheticCatalogueCsvHasOneRecordPerTrackWithItsTitle) {
  {
    auto db = db::Database::Open(path_.path());
    ASSERT_TRUE(db.ok());
    SyntheticOptions so;
    so.tracks = 3000;
    so.tricky_every = 3;
    ASSERT_TRUE(WriteSyntheticCatalogue(**db, so).ok());
  }
  ExportOptions o;
  o.out = (out_dir_ / "all.csv").string();
  ASSERT_TRUE(Export(o).ok());
  std::string error;
  auto recs = ParseStrictCsv(Read(o.out), &error);
  ASSERT_TRUE(recs) << error;
  ASSERT_EQ(recs->size(), 3001u);
  auto db = db::Database::Open(path_.path());
  ASSERT_TRUE(db.ok());
  db::TracksTable tracks(**db);
  const auto& h = (*recs)[0];
  int tricky = 0;
  for (size_t i = 1; i < recs->size(); ++i) {
    const auto& r = (*recs)[i];
    auto t = tracks.Get(std::stoll(r[Col(h, "track_id")]));
    ASSERT_TRUE(t.ok() && *t);
    EXPECT_EQ(r[Col(h, "title")], (*t)->title.value_or(""));
    EXPECT_EQ(r[Col(h, "bpm")].empty(), !(*t)->bpm.has_value());
    tricky += r[Col(h, "title")].find("\r\n") != std::string::npos;
  }
  EXPECT_GT(tricky, 100);
}

TEST_F(ExportTest, JsonLinesParseLineByLine) {
  MakeSmallDb();
  ExportOptions o;
  o.format = Format::kJsonLines;
  o.out = (out_dir_ / "tracks.jsonl").string();
  ASSERT_TRUE(Export(o).ok());
  std::istringstream in(Read(o.out));
  std::string line;
  std::vector<nlohmann::ordered_json> rows;
  while (std::getline(in, line)) {
    ASSERT_FALSE(line.empty());
    rows.push_back(nlohmann::ordered_json::parse(line));  // throws if bad
  }
  ASSERT_EQ(rows.size(), 3u);
  const auto& a = rows[0];
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a.begin().key(), "track_id");  // column order
  EXPECT_EQ(a["title"], kTrickyTitle);
  EXPECT_EQ(a["bpm"], 128.0);
  EXPECT_EQ(a["listings"], nlohmann::ordered_json::array({"indie", "rock"}));
  EXPECT_EQ(a["preview_downloaded"], true);
  EXPECT_TRUE(rows[1]["bpm"].is_null());
  EXPECT_EQ(rows[1]["preview_downloaded"], false);
  EXPECT_TRUE(rows[2]["parent_genre"].is_null());
}

TEST_F(ExportTest, JsonIsOneArray) {
  MakeSmallDb();
  ExportOptions o;
  o.format = Format::kJson;
  o.rows = RowKind::kRelease;
  o.out = (out_dir_ / "releases.json").string();
  ASSERT_TRUE(Export(o).ok());
  auto j = nlohmann::json::parse(Read(o.out));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["tracks"], 2);
  EXPECT_EQ(j[0]["previews_downloaded"], 1);
  EXPECT_EQ(j[0]["duration_s"], 745.0);
  EXPECT_EQ(j[0]["listings"], nlohmann::json::array({"indie", "rock"}));
  EXPECT_EQ(j[1]["tracks"], 1);
}

TEST_F(ExportTest, EmptyCatalogueGivesValidEmptyFeeds) {
  { ASSERT_TRUE(db::Database::Open(path_.path()).ok()); }
  for (Format f : {Format::kCsv, Format::kJsonLines, Format::kJson}) {
    ExportOptions o;
    o.format = f;
    o.out = (out_dir_ / "empty").string();
    auto st = Export(o);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->rows, 0);
    const std::string s = Read(o.out);
    if (f == Format::kJson) {
      EXPECT_EQ(nlohmann::json::parse(s).size(), 0u);
    } else if (f == Format::kJsonLines) {
      EXPECT_EQ(s, "");
    } else {
      EXPECT_EQ(s.substr(0, 9), "track_id,");
    }
  }
}

TEST_F(ExportTest, FieldsSelectAndOrderColumns) {
  MakeSmallDb();
  ExportOptions o;
  o.fields = {"bpm", "title"};
  o.out = (out_dir_ / "f.csv").string();
  ASSERT_TRUE(Export(o).ok());
  std::string error;
  auto recs = ParseStrictCsv(Read(o.out), &error);
  ASSERT_TRUE(recs) << error;
  EXPECT_EQ((*recs)[0], (std::vector<std::string>{"bpm", "title"}));
  EXPECT_EQ((*recs)[1], (std::vector<std::string>{"128", kTrickyTitle}));
}

TEST_F(ExportTest, BadFlagsFailBeforeTouchingTheOutput) {
  MakeSmallDb();
  const fs::path out = out_dir_ / "keep.csv";
  ASSERT_TRUE(WriteFileAtomic(out, "old").ok());
  ExportOptions o;
  o.out = out.string();
  o.fields = {"title", "no_such_field"};
  auto st = Export(o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("no_such_field"), std::string::npos);
  o.fields = {"tracks"};  // a release column on track rows
  EXPECT_FALSE(Export(o).ok());
  o.fields = {};
  o.filter.since = "2021-13-01";
  EXPECT_EQ(Export(o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Read(out), "old");
  for (const auto& e : fs::directory_iterator(out_dir_)) {
    EXPECT_EQ(e.path().filename(), "keep.csv");  // no temp file left
  }
}

TEST_F(ExportTest, CancelLeavesTheOldFile) {
  MakeSmallDb();
  const fs::path out = out_dir_ / "keep.csv";
  ASSERT_TRUE(WriteFileAtomic(out, "old").ok());
  ExportOptions o;
  o.out = out.string();
  CancelFlag cancel;
  cancel.requested = true;
  std::ostringstream sink;
  auto st = RunExport(path_.path(), o, sink, {}, &cancel);
  EXPECT_EQ(st.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(Read(out), "old");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(out_dir_))
    files += !e.path().empty();
  EXPECT_EQ(files, 1u);
}

TEST_F(ExportTest, GenresMatchAnyListingAndSinceFiltersByDate) {
  MakeSmallDb();
  auto rows = [&](std::vector<std::string> genres,
                  std::optional<std::string> since) {
    ExportOptions o;
    o.filter.genres = std::move(genres);
    o.filter.since = std::move(since);
    o.fields = {"track_store_id"};
    std::ostringstream sink;
    auto st = RunExport(path_.path(), o, sink);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    return st.ok() ? st->rows : -1;
  };
  EXPECT_EQ(rows({"rock"}, {}), 2);        // its second listing
  EXPECT_EQ(rows({"Rock/Indie"}, {}), 2);  // parent genre
  EXPECT_EQ(rows({"Techno"}, {}), 1);      // store genre
  EXPECT_EQ(rows({"Rock/Indie", "techno"}, {}), 3);
  EXPECT_EQ(rows({"Trance"}, {}), 0);
  EXPECT_EQ(rows({}, "2015-01-01"), 2);
  EXPECT_EQ(rows({"techno"}, "2015-01-01"), 0);
}

TEST_F(ExportTest, DatabaseIsOnlyReadAndNeverCreated) {
  ExportOptions o;
  o.out = (out_dir_ / "x.csv").string();
  auto st = Export(o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(path_.path()));
  EXPECT_FALSE(fs::exists(o.out));

  MakeSmallDb();
  auto before = Sha256File(path_.path());
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(Export(o).ok());
  EXPECT_EQ(*Sha256File(path_.path()), *before);

  // The output may not be the database itself.
  o.out = path_.path();
  EXPECT_EQ(Export(o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*Sha256File(path_.path()), *before);
}

TEST_F(ExportTest, DatabaseBeforeListingRecordsExportsWithoutThem) {
  {
    db::DatabaseOptions old;
    old.target_version = 3;
    auto db = db::Database::Open(path_.path(), old);
    ASSERT_TRUE(db.ok());
    db::ReleasesTable releases(**db);
    db::ReleaseRecord r;
    r.store_id = "1-01";
    r.url = "u";
    r.title = "T";
    auto ids = releases.MergeMany({r}, true);
    ASSERT_TRUE(ids.ok());
    db::TracksTable tracks(**db);
    db::TrackRecord t;
    t.release_id = (*ids)[0];
    t.store_id = "1-01-01-01";
    t.position = 1;
    ASSERT_TRUE(tracks.MergeMany({t}, true).ok());
  }
  ExportOptions o;
  o.format = Format::kJsonLines;
  o.filter.genres = {"rock"};
  std::ostringstream sink;
  auto st = RunExport(path_.path(), o, sink);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->rows, 0);
  o.filter.genres.clear();
  std::ostringstream all;
  ASSERT_TRUE(RunExport(path_.path(), o, all).ok());
  auto j = nlohmann::json::parse(all.str());
  EXPECT_TRUE(j["listings"].is_array());
  EXPECT_TRUE(j["listings"].empty());
  // Still version 3: the export did not migrate it.
  db::DatabaseOptions ro;
  ro.read_only = true;
  auto db = db::Database::Open(path_.path(), ro);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->UserVersion(), 3);
}

}  // namespace
}  // namespace cratedig::catalogue
