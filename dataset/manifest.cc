#include "dataset/manifest.h"

#include <filesystem>

#include "core/files.h"

namespace cratedig::dataset {

Result<DatasetStats> ComputeStats(db::Database& db, const std::string& hash) {
  DatasetStats st;
  CRATEDIG_ASSIGN_OR_RETURN(st.dataset, db::DatasetsTable(db).Resolve(hash));
  db::DatasetsTable table(db);
  CRATEDIG_ASSIGN_OR_RETURN(st.counts,
                            table.CountBySplitAndGenre(st.dataset.hash));
  for (const auto& c : st.counts) {
    st.ok_tracks += c.tracks;
    st.tiles += c.tiles;
  }
  CRATEDIG_ASSIGN_OR_RETURN(auto tracks, table.ListTracks(st.dataset.hash));
  for (auto& t : tracks) {
    if (!t.ok) st.failures.push_back(std::move(t));
  }
  return st;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<int64_t> ExportManifestCsv(db::Database& db, const std::string& hash,
                                  const std::string& out_path) {
  CRATEDIG_ASSIGN_OR_RETURN(db::DatasetRecord d,
                            db::DatasetsTable(db).Resolve(hash));
  db::DatasetsTable table(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto tiles, table.ListTiles(d.hash, ""));
  std::string csv = "path,label,split,track_id,tile_index\n";
  const std::filesystem::path root(d.tiles_dir);
  for (const auto& t : tiles) {
    csv += CsvField((root / t.path).string());
    csv += ',';
    csv += CsvField(t.parent_genre);
    csv += ',';
    csv += t.split;
    csv += ',';
    csv += std::to_string(t.track_id);
    csv += ',';
    csv += std::to_string(t.tile_index);
    csv += '\n';
  }
  CRATEDIG_RETURN_IF_ERROR(WriteFileAtomic(out_path, csv));
  return static_cast<int64_t>(tiles.size());
}

}  // namespace cratedig::dataset
