#include "trainer/tile_source.h"

#include <algorithm>
#include <filesystem>

#include "config/dataset_settings.h"

namespace cratedig::trainer {

int LabelIndex(const std::vector<std::string>& g,
               const std::string& parent_genre) {
  auto it = std::find(g.begin(), g.end(), parent_genre);
  return it == g.end() ? -1 : static_cast<int>(it - g.begin());
}

Result<TileGeometry> DatasetGeometry(const db::DatasetRecord& d) {
  CRATEDIG_ASSIGN_OR_RETURN(auto s,
                            config::ParseConfig<config::DatasetSettings>(
                                d.settings, "settings of dataset " + d.hash));
  return TileGeometry{s.height, s.tile_width, s.parent_genres};
}

Result<std::vector<TileItem>> LoadTiles(db::Database& db,
                                        const db::DatasetRecord& d,
                                        const std::string& split, bool labelled,
                                        int64_t* unlabelled) {
  CRATEDIG_ASSIGN_OR_RETURN(TileGeometry geom, DatasetGeometry(d));
  db::DatasetsTable datasets(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto rows, datasets.ListTiles(d.hash, split));
  std::vector<TileItem> out;
  out.reserve(rows.size());
  int64_t skipped = 0;
  const std::filesystem::path base(d.tiles_dir);
  for (auto& r : rows) {
    TileItem t;
    t.tile_id = r.id;
    t.track_id = r.track_id;
    t.label = LabelIndex(geom.genres, r.parent_genre);
    if (labelled && t.label < 0) {
      ++skipped;
      continue;
    }
    t.path = (base / r.path).string();
    out.push_back(std::move(t));
  }
  if (unlabelled != nullptr) *unlabelled = skipped;
  return out;
}

}  // namespace cratedig::trainer
