#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "db/database.h"
#include "db/refresh_tables.h"
#include "tests/cli/run_command.h"

namespace cratedig {
namespace {

using testing::RunCratedig;

TEST(CliTest, HelpListsSubcommands) {
  auto r = RunCratedig("--help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("status"), std::string::npos) << r.output;
}

TEST(CliTest, EverySubcommandHasHelp) {
  auto top = RunCratedig("--help");
  // Subcommand names follow the "Subcommands:" heading, one per line.
  size_t pos = top.output.find("Subcommands:");
  ASSERT_NE(pos, std::string::npos);
  std::istringstream lines(top.output.substr(pos));
  std::string line;
  std::getline(lines, line);
  int checked = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    auto r = RunCratedig(name + " --help");
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << name;
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

TEST(CliTest, CompletionIsGeneratedFromTheCliDefinitions) {
  auto r = RunCratedig("completion");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // Nested subcommands and their flags, as --help defines them.
  EXPECT_NE(r.output.find("[\"dataset build\"]="), std::string::npos);
  EXPECT_NE(r.output.find("--site-config"), std::string::npos);
  EXPECT_NE(r.output.find("complete -o default -F _cratedig cratedig"),
            std::string::npos);
  // bash accepts it.
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("cratedig_" + std::to_string(::getpid()) + ".bash"))
          .string();
  { std::ofstream(path) << r.output; }
  EXPECT_EQ(std::system(("bash -n " + path).c_str()), 0);
  std::filesystem::remove(path);
}

TEST(CliTest, UnknownFlagOrCommandExitsNonZero) {
  EXPECT_NE(RunCratedig("status --no-such-flag").exit_code, 0);
  EXPECT_NE(RunCratedig("no-such-command").exit_code, 0);
  EXPECT_NE(RunCratedig("").exit_code, 0);  // a subcommand is required
}

TEST(CliTest, StatusCreatesAndMigratesANewDatabase) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("cratedig_cli_" + std::to_string(::getpid()) + ".db"))
                         .string();
  std::filesystem::remove(path);
  auto r = RunCratedig("status --db " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 releases, 0 tracks"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Trance"), std::string::npos)
      << "every parent genre is listed, even at zero: " << r.output;
  auto db = db::Database::Open(path);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->UserVersion(), db::LatestSchemaVersion());
  // A listing refreshed by `crawl --refresh` shows when.
  ASSERT_TRUE(db::ListingRefreshTable(**db)
                  .Put({"trance-music", 1764745200000, 1, 3})
                  .ok());
  db->reset();
  r = RunCratedig("status --db " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("trance-music"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2025-12-03 07:00 UTC (1, 3)"), std::string::npos)
      << r.output;
  std::filesystem::remove(path);
}

TEST(CliTest, StatusOnUnreadableDatabaseFailsClearly) {
  auto r = RunCratedig("status --db /proc/cratedig-no-such/x.db");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("/proc/cratedig-no-such/x.db"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace cratedig
