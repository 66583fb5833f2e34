// Flags shared by `recommend`, `evaluate-recs` and `serve`: which index to
// search and where HNSW graphs are cached.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "recommender/index_factory.h"

namespace cratedig::cli {

struct IndexFlags {
  std::string kind = "auto";
  size_t hnsw_threshold = recommender::IndexOptions{}.hnsw_threshold;
  int ef_search = recommender::HnswOptions{}.ef_search;
  int m = recommender::HnswOptions{}.m;
  int ef_construction = recommender::HnswOptions{}.ef_construction;
  std::string index_dir;  // "" = "<folder of --db>/indexes"
};

inline void AddIndexFlags(CLI::App* cmd, IndexFlags& f) {
  cmd->add_option("--index", f.kind,
                  "Search index: auto (HNSW at or above --hnsw-threshold "
                  "tracks, exact below), exact or hnsw")
      ->check(CLI::IsMember({"auto", "exact", "hnsw"}))
      ->capture_default_str();
  cmd->add_option("--hnsw-threshold", f.hnsw_threshold,
                  "Tracks from which --index auto uses HNSW")
      ->capture_default_str();
  cmd->add_option("--ef-search", f.ef_search,
                  "HNSW candidate list per query (higher: better recall, "
                  "slower)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--hnsw-m", f.m, "HNSW links per node")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  cmd->add_option("--ef-construction", f.ef_construction,
                  "HNSW candidate list while building")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--index-dir", f.index_dir,
                  "Where HNSW graphs are saved and reloaded (default: "
                  "<folder of --db>/indexes)")
      ->capture_default_str();
}

inline Result<recommender::IndexOptions> ToIndexOptions(
    const IndexFlags& f, const std::string& db_path) {
  recommender::IndexOptions o;
  CRATEDIG_ASSIGN_OR_RETURN(o.kind, recommender::ParseIndexKind(f.kind));
  o.hnsw_threshold = f.hnsw_threshold;
  o.hnsw.ef_search = f.ef_search;
  o.hnsw.m = f.m;
  o.hnsw.ef_construction = f.ef_construction;
  if (!f.index_dir.empty()) {
    o.cache_dir = f.index_dir;
  } else {
    std::filesystem::path parent = std::filesystem::path(db_path).parent_path();
    o.cache_dir = (parent / "indexes").string();
  }
  return o;
}

}  // namespace cratedig::cli
