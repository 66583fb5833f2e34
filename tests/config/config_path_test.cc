// config/config_path: shipped configs are found from any folder; runs go
// beside the database.
#include "config/config_path.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/train_settings.h"

namespace cratedig::config {
namespace {

namespace fs = std::filesystem;

TEST(ConfigPathTest, FindsTheShippedConfigsFromAnyFolder) {
  const fs::path old = fs::current_path();
  const fs::path empty = fs::temp_directory_path() /
                         ("cratedig_cfgpath_" + std::to_string(::getpid()));
  fs::create_directories(empty);
  fs::current_path(empty);
  // Not in the working folder: found in the source tree this was built from.
  const std::string found = FindConfigFile("configs/dataset.toml");
  EXPECT_TRUE(fs::path(found).is_absolute()) << found;
  EXPECT_TRUE(fs::is_regular_file(found)) << found;
  // Missing everywhere, or absolute: unchanged.
  EXPECT_EQ(FindConfigFile("configs/no-such.toml"), "configs/no-such.toml");
  EXPECT_EQ(FindConfigFile("/nowhere/x.toml"), "/nowhere/x.toml");
  // In the working folder: that one wins.
  fs::create_directories(empty / "configs");
  { std::ofstream(empty / "configs" / "dataset.toml") << "threads = 1\n"; }
  EXPECT_EQ(FindConfigFile("configs/dataset.toml"), "configs/dataset.toml");
  fs::current_path(old);
  fs::remove_all(empty);
  EXPECT_FALSE(ConfigSearchRoots().empty());
}

TEST(ConfigPathTest, RunsGoBesideTheDatabase) {
  TrainSettings s;
  EXPECT_EQ(s.ResolvedRunsDir("/data/music/cratedig.db"), "/data/music/runs");
  s.runs_dir = "../elsewhere";
  EXPECT_EQ(s.ResolvedRunsDir("/data/music/cratedig.db"), "/data/elsewhere");
  s.runs_dir = "/abs/runs";
  EXPECT_EQ(s.ResolvedRunsDir("/data/music/cratedig.db"), "/abs/runs");
  s.runs_dir = "runs";
  EXPECT_EQ(s.ResolvedRunsDir("cratedig.db"),
            (fs::current_path() / "runs").string());
}

}  // namespace
}  // namespace cratedig::config
