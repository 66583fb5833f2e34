#include "recommender/recommender.h"

#include "db/model_tables.h"

namespace cratedig::recommender {

Result<std::unique_ptr<Recommender>> Recommender::Open(
    db::Database& db, std::optional<int64_t> run, const IndexOptions& index,
    const ProgressFn& progress, const CancelFlag* cancel) {
  CRATEDIG_ASSIGN_OR_RETURN(
      db::ModelRunRecord picked,
      db::ModelRunsTable(db).Resolve(run, db::RunNeed::kEmbedded));
  CRATEDIG_ASSIGN_OR_RETURN(EmbeddingSet set, LoadEmbeddings(db, picked.id));
  return FromSet(std::move(set), index, progress, cancel);
}

Result<std::unique_ptr<Recommender>> Recommender::FromSet(
    EmbeddingSet set, const IndexOptions& index, const ProgressFn& progress,
    const CancelFlag* cancel) {
  std::unique_ptr<Recommender> r(new Recommender());
  r->set_ = std::move(set);
  if (r->set_.tracks.size() != r->set_.size()) {
    r->set_.tracks.resize(r->set_.size());
    for (size_t i = 0; i < r->set_.size(); ++i) {
      r->set_.tracks[i].id = r->set_.track_ids[i];
    }
  }
  r->set_.IndexRows();
  r->artist_keys_.reserve(r->set_.size());
  for (const auto& t : r->set_.tracks) {
    r->artist_keys_.push_back(ArtistKey(t.artist));
  }
  CRATEDIG_ASSIGN_OR_RETURN(
      r->index_, MakeIndex(r->set_.vectors.data(), r->set_.size(), r->set_.dim,
                           index, &r->report_, progress, cancel));
  return r;
}

const TrackInfo* Recommender::Track(int64_t track_id) const {
  auto row = set_.RowOf(track_id);
  return row ? &set_.tracks[*row] : nullptr;
}

std::vector<Recommendation> Recommender::ToRecs(
    const std::vector<Neighbor>& nb) const {
  std::vector<Recommendation> out;
  out.reserve(nb.size());
  for (const Neighbor& n : nb) out.push_back({set_.tracks[n.row], n.score});
  return out;
}

Result<std::vector<Recommendation>> Recommender::ForTrack(
    int64_t track_id, const RecommendOptions& o) const {
  if (o.k < 0) return Status::InvalidArgument("k must be >= 0");
  auto row = set_.RowOf(track_id);
  if (!row) {
    return Status::NotFound("track " + std::to_string(track_id) +
                            " has no embedding in model run " +
                            std::to_string(set_.run_id));
  }
  const uint32_t self = static_cast<uint32_t>(*row);
  const std::string& artist = artist_keys_[self];
  const bool by_artist = o.exclude_same_artist && !artist.empty();
  RowFilter keep = [&](uint32_t r) {
    return r != self && !(by_artist && artist_keys_[r] == artist);
  };
  return ToRecs(index_->Search(set_.row(self), o.k, keep));
}

Result<std::vector<Recommendation>> Recommender::ForVector(
    std::vector<float> vec, const RecommendOptions& o,
    const std::string& artist) const {
  if (o.k < 0) return Status::InvalidArgument("k must be >= 0");
  if (static_cast<int>(vec.size()) != set_.dim) {
    return Status::InvalidArgument(
        "query vector has " + std::to_string(vec.size()) +
        " values, the run's embeddings " + std::to_string(set_.dim));
  }
  NormalizeL2(vec.data(), set_.dim);
  const std::string key = ArtistKey(artist);
  RowFilter keep;
  if (o.exclude_same_artist && !key.empty()) {
    keep = [&](uint32_t r) { return artist_keys_[r] != key; };
  }
  return ToRecs(index_->Search(vec.data(), o.k, keep));
}

}  // namespace cratedig::recommender
