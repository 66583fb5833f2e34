#include "trainer/tile_source.h"

#include <algorithm>
#include <filesystem>

#include "config/dataset_settings.h"
#include "config/site_profile.h"

namespace cratedig::trainer {

int NumClasses() {
  return static_cast<int>(config::DefaultParentGenres().size());
}

int LabelIndex(const std::string& parent_genre) {
  const auto& g = config::DefaultParentGenres();
  auto it = std::find(g.begin(), g.end(), parent_genre);
  return it == g.end() ? -1 : static_cast<int>(it - g.begin());
}

Result<TileGeometry> DatasetGeometry(const db::DatasetRecord& d) {
  CRATEDIG_ASSIGN_OR_RETURN(auto s,
                            config::ParseConfig<config::DatasetSettings>(
                                d.settings, "settings of dataset " + d.hash));
  return TileGeometry{s.height, s.tile_width};
}

Result<std::vector<TileItem>> LoadTiles(db::Database& db,
                                        const db::DatasetRecord& d,
                                        const std::string& split, bool labelled,
                                        int64_t* unlabelled) {
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
    t.label = LabelIndex(r.parent_genre);
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
