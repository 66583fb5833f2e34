#include "catalogue/synthetic.h"

#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "db/catalogue_tables.h"
#include "db/listing_tables.h"

namespace cratedig::catalogue {

namespace {

struct Listing {
  const char* slug;
  const char* genre;
  const char* parent;
};
constexpr Listing kListings[] = {
    {"breakbeat", "Breakbeat", "Breakbeat"},
    {"drumandbass", "Drum & Bass", "Drum and Bass"},
    {"indie", "Indie", "Rock/Indie"},
    {"rock", "Rock", "Rock/Indie"},
    {"trance-music", "Trance", "Trance"},
    {"techno", "Techno", nullptr},
};
constexpr const char* kWords[] = {"Night",  "Pulse",  "Søren", "Ōkami",
                                  "Дождь",  "夜明け", "Écho",  "Velvet",
                                  "Signal", "Tide"};

}  // namespace

Status WriteSyntheticCatalogue(db::Database& db, const SyntheticOptions& o) {
  std::mt19937_64 rng(o.seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  db::ReleasesTable releases(db);
  db::TracksTable tracks(db);
  db::ReleaseListingsTable listings(db);
  db::PreviewsTable previews(db);
  CRATEDIG_ASSIGN_OR_RETURN(int64_t existing, tracks.Count());
  if (existing != 0) {
    return Status::InvalidArgument("synthetic catalogue: database not empty");
  }
  return db.InTransaction([&]() -> Status {
    int64_t written = 0;
    int64_t n_release = 0;
    // Batches of releases share prepared statements (MergeMany).
    std::vector<db::ReleaseRecord> rels;
    std::vector<int> listing_of;
    std::vector<std::vector<db::TrackRecord>> tracks_of;
    auto flush = [&]() -> Status {
      CRATEDIG_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                                releases.MergeMany(rels, true));
      std::vector<db::TrackRecord> ts;
      for (size_t k = 0; k < rels.size(); ++k) {
        db::ReleaseListingRecord m;
        m.release_id = ids[k];
        m.listing = kListings[listing_of[k]].slug;
        m.rank = listing_of[k];
        m.store_genre = rels[k].store_genre;
        m.parent_genre = rels[k].parent_genre;
        CRATEDIG_RETURN_IF_ERROR(listings.Put(m));
        if (ids[k] % 3 == 0 && m.rank + 1 < 6) {  // a second listing
          const Listing& l2 = kListings[m.rank + 1];
          m.listing = l2.slug;
          m.rank += 1;
          m.parent_genre =
              l2.parent ? std::optional<std::string>(l2.parent) : std::nullopt;
          CRATEDIG_RETURN_IF_ERROR(listings.Put(m));
        }
        for (db::TrackRecord& t : tracks_of[k]) {
          t.release_id = ids[k];
          ts.push_back(std::move(t));
        }
      }
      CRATEDIG_RETURN_IF_ERROR(tracks.MergeMany(ts, true));
      for (const db::TrackRecord& t : ts) {
        // An empty catalogue numbers tracks 1, 2, ... in insertion order.
        ++written;
        if (!t.preview_url || pick(2) != 0) continue;
        db::PreviewRecord p;
        p.track_id = written;
        p.url = *t.preview_url;
        p.status = db::PreviewStatus::kOk;
        p.path = "/previews/" + t.store_id + ".mp3";
        CRATEDIG_RETURN_IF_ERROR(previews.Put(p));
      }
      rels.clear();
      listing_of.clear();
      tracks_of.clear();
      return Status::Ok();
    };
    int64_t planned = 0;
    while (planned < o.tracks) {
      const int n =
          static_cast<int>(std::min<int64_t>(1 + pick(4), o.tracks - planned));
      const int li = pick(6);
      const Listing& l = kListings[li];
      db::ReleaseRecord r;
      r.store_id = fmt::format("{}-{:02d}", 1000000 + n_release, 1 + pick(3));
      r.url = "http://127.0.0.1/products/x/" + r.store_id + "/";
      r.artist = std::string(kWords[pick(10)]) + " " + kWords[pick(10)];
      r.title = std::string(kWords[pick(10)]) + " EP";
      if (o.tricky_every > 0 && n_release % o.tricky_every == 0) {
        r.title = "The \"Big\" One, Part " + std::to_string(n_release) +
                  "\r\nДождь / 夜明け";
      }
      r.label = "Label " + std::to_string(pick(50));
      r.catalogue_number = fmt::format("CAT{:05d}", n_release);
      r.release_date = fmt::format("20{:02d}-{:02d}-{:02d}", 8 + pick(16),
                                   1 + pick(12), 1 + pick(28));
      r.store_genre = l.genre;
      if (l.parent) r.parent_genre = l.parent;
      std::vector<db::TrackRecord> ts;
      for (int i = 1; i <= n; ++i) {
        db::TrackRecord t;
        t.store_id = fmt::format("{}-01-{:02d}", r.store_id, i);
        t.position = i;
        t.artist = r.artist;
        t.title = i == 1 ? *r.title : std::string(kWords[pick(10)]) + " Mix";
        t.duration_s = 120 + pick(400);
        if (pick(10) != 0) t.bpm = 70 + pick(110);
        if (pick(12) != 0) {
          t.preview_url = "http://127.0.0.1/MP3/SF" + t.store_id + ".mp3";
        }
        ts.push_back(std::move(t));
      }
      rels.push_back(std::move(r));
      listing_of.push_back(li);
      tracks_of.push_back(std::move(ts));
      planned += n;
      ++n_release;
      if (rels.size() == 500) CRATEDIG_RETURN_IF_ERROR(flush());
    }
    if (!rels.empty()) CRATEDIG_RETURN_IF_ERROR(flush());
    return Status::Ok();
  });
}

}  // namespace cratedig::catalogue
