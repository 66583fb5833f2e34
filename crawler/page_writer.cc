#include "crawler/page_writer.h"

#include "crawler/field_yield.h"
#include "crawler/required_fields.h"

namespace cratedig::crawler {

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

db::ReleaseRecord ToRecord(const ParsedRelease& r) {
  db::ReleaseRecord out;
  out.store_id = r.store_id;
  out.url = r.url;
  out.artist = r.artist;
  out.title = r.title;
  out.label = r.label;
  out.catalogue_number = r.catalogue_number;
  out.release_date = r.release_date;
  out.store_genre = r.store_genre;
  out.parent_genre = r.parent_genre;
  out.missing_fields = Join(r.missing);
  return out;
}

db::TrackRecord ToRecord(const ParsedTrack& t, int64_t release_id) {
  db::TrackRecord out;
  out.release_id = release_id;
  out.store_id = t.store_id;
  out.position = t.position;
  out.artist = t.artist;
  out.title = t.title;
  out.bpm = t.bpm;
  out.duration_s = t.duration_s;
  out.preview_url = t.preview_url;
  out.missing_fields = Join(t.missing);
  return out;
}

}  // namespace

Status AddValidators(db::ValidatorsTable& table, ClientRequest& req) {
  CRATEDIG_ASSIGN_OR_RETURN(auto v, table.Get(req.url));
  if (v) {
    req.etag = v->etag;
    req.last_modified = v->last_modified;
  }
  return Status::Ok();
}

PageWriter::PageWriter(db::Database& db, std::vector<std::string> required,
                       bool full, std::map<std::string, int> listing_rank)
    : db_(db),
      frontier_(db),
      releases_(db),
      tracks_(db),
      validators_(db),
      membership_(db),
      page_fields_(db),
      required_(std::move(required)),
      full_(full),
      listing_rank_(std::move(listing_rank)) {}

std::map<std::string, int> ListingRanks(const config::SiteProfile& profile) {
  std::map<std::string, int> out;
  for (const config::ListingSpec& l : profile.listings) {
    out.emplace(l.slug, static_cast<int>(out.size()));
  }
  return out;
}

Status PageWriter::PutValidators(const ClientResult& r) {
  db::ValidatorRecord v;
  v.url = r.url;
  v.etag = r.etag;
  v.last_modified = r.last_modified;
  v.fetched_at = db::NowMs();
  return validators_.Put(v);
}

Result<ListingWrite> PageWriter::WriteListing(const db::FrontierEntry& e,
                                              const ClientResult& r,
                                              const ListingPage& page,
                                              bool follow_next) {
  ListingWrite w;
  Status s = db_.InTransaction([&]() -> Status {
    std::vector<db::ReleaseRecord> rels;
    for (const ParsedRelease& pr : page.releases) {
      CRATEDIG_ASSIGN_OR_RETURN(auto known,
                                releases_.GetByStoreId(pr.store_id));
      w.new_releases += !known.has_value();
      rels.push_back(ToRecord(pr));
    }
    auto rank_it = listing_rank_.find(e.context);
    const int rank = rank_it != listing_rank_.end() ? rank_it->second : 0;
    CRATEDIG_RETURN_IF_ERROR(membership_.Prepare(rank, rels));
    CRATEDIG_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                              releases_.MergeMany(rels, true));
    CRATEDIG_RETURN_IF_ERROR(
        membership_.Record(e.context, rank, e.id, page.releases, ids));
    std::vector<const ParsedRelease*> parsed;
    for (const ParsedRelease& pr : page.releases) parsed.push_back(&pr);
    CRATEDIG_RETURN_IF_ERROR(
        page_fields_.Put(e.id, CountFields(parsed, /*with_previews=*/true)));
    std::vector<db::TrackRecord> tracks;
    for (size_t i = 0; i < page.releases.size(); ++i) {
      for (const ParsedTrack& t : page.releases[i].tracks) {
        tracks.push_back(ToRecord(t, ids[i]));
      }
    }
    CRATEDIG_RETURN_IF_ERROR(tracks_.MergeMany(tracks, false));
    for (const ParsedRelease& pr : page.releases) {
      if (!full_ && MissingRequired(pr, required_).empty()) {
        ++w.listing_only;
        continue;
      }
      CRATEDIG_ASSIGN_OR_RETURN(
          bool is_new,
          frontier_.Add(pr.url, db::PageKind::kProduct, e.context));
      w.frontier_added += is_new;
    }
    if (follow_next && page.next_url) {
      CRATEDIG_ASSIGN_OR_RETURN(
          bool is_new,
          frontier_.Add(*page.next_url, db::PageKind::kListing, e.context));
      w.frontier_added += is_new;
    }
    CRATEDIG_RETURN_IF_ERROR(PutValidators(r));
    return frontier_.MarkDone(e.id, r.http_status);
  });
  if (!s.ok()) return s;
  // Counted once committed.
  for (const ParsedRelease& pr : page.releases) {
    releases_seen_.insert(pr.store_id);
    for (const ParsedTrack& t : pr.tracks) tracks_seen_.insert(t.store_id);
  }
  return w;
}

Result<int64_t> PageWriter::WriteProduct(const db::FrontierEntry& e,
                                         const ClientResult& r,
                                         const ProductPage& page,
                                         const std::string& parent) {
  int64_t written = 0;
  Status s = db_.InTransaction([&]() -> Status {
    if (!page.release.store_id.empty()) {
      db::ReleaseRecord rel = ToRecord(page.release);
      if (!rel.store_genre && !parent.empty()) rel.parent_genre = parent;
      CRATEDIG_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                                releases_.MergeMany({rel}, false));
      std::vector<db::TrackRecord> tracks;
      for (const ParsedTrack& t : page.release.tracks) {
        tracks.push_back(ToRecord(t, ids[0]));
      }
      CRATEDIG_RETURN_IF_ERROR(tracks_.MergeMany(tracks, true));
      CRATEDIG_RETURN_IF_ERROR(page_fields_.Put(
          e.id, CountFields({&page.release}, /*with_previews=*/true)));
      written = static_cast<int64_t>(tracks.size());
    }
    CRATEDIG_RETURN_IF_ERROR(PutValidators(r));
    return frontier_.MarkDone(e.id, r.http_status);
  });
  if (!s.ok()) return s;
  if (!page.release.store_id.empty()) {
    releases_seen_.insert(page.release.store_id);
    for (const ParsedTrack& t : page.release.tracks) {
      tracks_seen_.insert(t.store_id);
    }
  }
  return written;
}

Status PageWriter::MarkUnchanged(const db::FrontierEntry& e) {
  return frontier_.MarkDone(e.id, 304);
}

Status PageWriter::MarkFinal(const db::FrontierEntry& e,
                             db::FrontierStatus status,
                             std::optional<int> http_status,
                             const std::string& error,
                             const std::string& failure, int64_t retry_at) {
  return frontier_.MarkFinal(e.id, status, http_status, error, failure,
                             retry_at);
}

}  // namespace cratedig::crawler
