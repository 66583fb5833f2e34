#include "dataset/genre_table.h"

#include <algorithm>
#include <map>

#include "config/dataset_settings.h"
#include "db/catalogue_tables.h"
#include "db/dataset_tables.h"

namespace cratedig::dataset {

Result<GenreTable> ReadGenreTable(db::Database& db) {
  db::TracksTable tracks(db);
  db::PreviewsTable previews(db);
  db::DatasetsTable datasets(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto by_genre, tracks.CountByParentGenre());
  CRATEDIG_ASSIGN_OR_RETURN(auto prev, previews.CountByGenreAndStatus());
  CRATEDIG_ASSIGN_OR_RETURN(auto sets, datasets.List());
  GenreTable out;
  out.datasets = sets.size();
  std::vector<std::string> genres = config::DefaultParentGenres();
  std::map<std::string, std::map<std::string, int64_t>> tiles;  // genre/split
  if (!sets.empty()) {
    out.dataset_hash = sets.front().hash;
    auto stored = config::ParseConfig<config::DatasetSettings>(
        sets.front().settings, "settings of dataset " + out.dataset_hash);
    if (stored.ok()) genres = stored->parent_genres;
    CRATEDIG_ASSIGN_OR_RETURN(auto counts,
                              datasets.CountBySplitAndGenre(out.dataset_hash));
    for (const auto& c : counts) tiles[c.parent_genre][c.split] = c.tiles;
  }
  auto add = [&](const std::string& g) {
    if (std::find(genres.begin(), genres.end(), g) == genres.end()) {
      genres.push_back(g);
    }
  };
  for (const auto& [g, n] : by_genre) add(g);
  for (const auto& [g, n] : prev) add(g);

  out.total.genre = "total";
  for (const std::string& g : genres) {
    auto pg = prev.count(g) ? prev.at(g) : std::map<std::string, int64_t>{};
    auto tg = tiles.count(g) ? tiles.at(g) : std::map<std::string, int64_t>{};
    GenreRow r{g,
               by_genre.count(g) ? by_genre.at(g) : 0,
               pg["ok"],
               pg["failed"],
               tg["train"],
               tg["val"],
               tg["holdout"]};
    out.total.tracks += r.tracks;
    out.total.previews_ok += r.previews_ok;
    out.total.previews_failed += r.previews_failed;
    out.total.tiles_train += r.tiles_train;
    out.total.tiles_val += r.tiles_val;
    out.total.tiles_holdout += r.tiles_holdout;
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace cratedig::dataset
