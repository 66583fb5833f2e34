// Genres are data: a site profile with three parent genres gives a dataset
// labelled with those three, a three-class model and three-row evaluation
// tables, end to end through the demo pipeline on a small sample store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "config/toml_reader.h"
#include "core/json.h"
#include "db/database.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "demo/demo.h"

namespace cratedig::demo {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kThree = {"Trance", "Breakbeat", "Downtempo"};

// The shipped sample-store profile with its labels cut down to kThree: only
// their listings are walked and only their store genres are mapped.
std::string ThreeGenreProfile(const std::string& shipped) {
  const size_t from = shipped.find("\nlistings = [");
  const size_t to = shipped.find("\n[selectors]");
  EXPECT_NE(from, std::string::npos);
  EXPECT_NE(to, std::string::npos);
  return shipped.substr(0, from) + R"(
parent_genres = ["Trance", "Breakbeat", "Downtempo"]
listings = [
  { slug = "trance-music", parent = "Trance" },
  { slug = "breakbeat", parent = "Breakbeat" },
  { slug = "downtempo", parent = "Downtempo" },
]
[genre_map]
"Trance" = "Trance"
"Uplifting Trance" = "Trance"
"Breakbeat" = "Breakbeat"
"Breaks" = "Breakbeat"
"Downtempo" = "Downtempo"
"Balearic/Downtempo" = "Downtempo"
)" + shipped.substr(to);
}

TEST(GenresTest, ThreeGenreProfileTrainsAndEvaluatesThreeClasses) {
  const fs::path dir = fs::temp_directory_path() /
                       ("cratedig_genres_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string src = CRATEDIG_SOURCE_DIR;
  std::stringstream shipped;
  shipped << std::ifstream(src + "/configs/samplestore.toml").rdbuf();
  std::ofstream(dir / "three.toml") << ThreeGenreProfile(shipped.str());

  DemoOptions o;
  o.workdir = (dir / "work").string();
  o.site_config = (dir / "three.toml").string();
  o.dataset_config = src + "/configs/dataset.toml";
  o.train_config = src + "/configs/train.toml";
  o.tracks_per_genre = 6;
  o.preview_seconds = 11;  // 2 tiles per track
  o.epochs = 2;
  o.delay = 0;
  o.examples = 1;
  auto r = RunDemo(
      o, [](const Progress&) {}, [](const std::string&) {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  auto db = db::Database::Open(r->db_path);
  ASSERT_TRUE(db.ok());
  // The dataset version holds the profile's labels, and only their tiles.
  auto ds = db::DatasetsTable(**db).Resolve("");
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  auto settings = config::ParseConfig<config::DatasetSettings>(
      ds->settings, "stored dataset settings");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->parent_genres, kThree);
  auto counts = db::DatasetsTable(**db).CountBySplitAndGenre(ds->hash);
  ASSERT_TRUE(counts.ok());
  ASSERT_FALSE(counts->empty());
  for (const auto& c : *counts) {
    EXPECT_NE(std::find(kThree.begin(), kThree.end(), c.parent_genre),
              kThree.end())
        << c.parent_genre;
  }

  // The run's evaluation: three genres, a 3x3 confusion matrix.
  auto run = db::ModelRunsTable(**db).Get(r->run_id);
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->status, db::RunStatus::kDone);
  ASSERT_TRUE((*run)->metrics.has_value());
  auto metrics = json::Parse(*(*run)->metrics);
  ASSERT_TRUE(metrics.ok()) << *(*run)->metrics;
  ASSERT_TRUE(metrics->contains("evaluation")) << *(*run)->metrics;
  const json::Json& e = (*metrics)["evaluation"];
  EXPECT_EQ(e.at("genres").get<std::vector<std::string>>(), kThree);
  ASSERT_EQ(e.at("confusion").size(), 3u);
  for (const auto& row : e.at("confusion")) EXPECT_EQ(row.size(), 3u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cratedig::demo
