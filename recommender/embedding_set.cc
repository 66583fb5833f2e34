#include "recommender/embedding_set.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "db/catalogue_tables.h"
#include "db/model_tables.h"

namespace cratedig::recommender {

std::optional<size_t> EmbeddingSet::RowOf(int64_t track_id) const {
  auto it = row_of_.find(track_id);
  if (it == row_of_.end()) return std::nullopt;
  return it->second;
}

void EmbeddingSet::IndexRows() {
  row_of_.clear();
  row_of_.reserve(track_ids.size());
  for (size_t i = 0; i < track_ids.size(); ++i) row_of_[track_ids[i]] = i;
}

void NormalizeL2(float* v, int dim) {
  double ss = 0;
  for (int i = 0; i < dim; ++i) ss += static_cast<double>(v[i]) * v[i];
  if (ss <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(ss));
  for (int i = 0; i < dim; ++i) v[i] *= inv;
}

Result<EmbeddingSet> LoadEmbeddings(db::Database& db, int64_t run_id) {
  db::EmbeddingsTable emb(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto rows, emb.ListForRun(run_id));
  if (rows.empty()) {
    return Status::NotFound("model run " + std::to_string(run_id) +
                            " has no embeddings");
  }
  EmbeddingSet set;
  set.run_id = run_id;
  set.dim = static_cast<int>(rows.front().vec.size());
  if (set.dim == 0) return Status::Corrupt("empty embedding vectors");
  set.track_ids.reserve(rows.size());
  set.vectors.reserve(rows.size() * set.dim);
  for (const auto& r : rows) {  // ListForRun orders by track id
    if (static_cast<int>(r.vec.size()) != set.dim) {
      return Status::Corrupt("embedding of track " +
                             std::to_string(r.track_id) + " has " +
                             std::to_string(r.vec.size()) +
                             " values, expected " + std::to_string(set.dim));
    }
    set.track_ids.push_back(r.track_id);
    size_t off = set.vectors.size();
    set.vectors.insert(set.vectors.end(), r.vec.begin(), r.vec.end());
    NormalizeL2(set.vectors.data() + off, set.dim);
  }
  set.IndexRows();

  // One pass over the catalogue beats one query per track.
  db::TracksTable tracks(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto all, tracks.Find(db::TrackQuery{}));
  set.tracks.resize(set.size());
  for (size_t i = 0; i < set.size(); ++i) set.tracks[i].id = set.track_ids[i];
  for (const auto& t : all) {
    auto row = set.RowOf(t.id);
    if (!row) continue;
    TrackInfo& info = set.tracks[*row];
    info.artist = t.artist.value_or("");
    info.title = t.title.value_or("");
    info.parent_genre = t.parent_genre.value_or("");
    info.preview_url = t.preview_url.value_or("");
    info.release_id = t.release_id;
  }
  return set;
}

std::string ArtistKey(const std::string& artist) {
  size_t b = 0, e = artist.size();
  while (b < e && std::isspace(static_cast<unsigned char>(artist[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(artist[e - 1]))) --e;
  std::string key = artist.substr(b, e - b);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return key;
}

}  // namespace cratedig::recommender
