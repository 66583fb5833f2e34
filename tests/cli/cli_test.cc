#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
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
  EXPECT_NE(r.output.find("[\"cratedig dataset build\"]="), std::string::npos);
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
  // Sourced, it loads without an error and completes at each level:
  // "cratedig da" -> dataset, "cratedig dataset b" -> build (and
  // bench-track), "cratedig dataset build --si" -> --site-config.
  const std::string check =
      "bash -c 'set -e; source " + path + " 2>&1 | grep . && exit 1; source " +
      path +
      "; c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _cratedig;"
      " echo \"${COMPREPLY[*]}\"; };"
      " [[ $(c cratedig da) == dataset ]];"
      " [[ \" $(c cratedig dataset b) \" == *\" build \"* ]];"
      " [[ $(c cratedig dataset build --si) == --site-config ]]'";
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
  std::filesystem::remove(path);
}

TEST(CliTest, UnknownFlagOrCommandExitsNonZero) {
  EXPECT_NE(RunCratedig("status --no-such-flag").exit_code, 0);
  EXPECT_NE(RunCratedig("no-such-command").exit_code, 0);
  EXPECT_NE(RunCratedig("").exit_code, 0);  // a subcommand is required
}

// Issue 12: read-only verbs created a new database when --db had a typo.
TEST(CliTest, StatusNeverCreatesADatabase) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("cratedig_cli_" + std::to_string(::getpid()) + ".db"))
                         .string();
  std::filesystem::remove(path);
  auto r = RunCratedig("status --db " + path);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no database at " + path), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(path));
  {
    auto db = db::Database::Open(path);  // what `crawl` does
    ASSERT_TRUE(db.ok());
  }
  r = RunCratedig("status --db " + path);
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
  for (const char* verb : {"recommend --track 1", "evaluate-recs",
                           "dataset stats", "serve --port 0"}) {
    std::string missing = path + ".typo";
    r = RunCratedig(std::string(verb) + " --db " + missing);
    EXPECT_EQ(r.exit_code, 1) << verb << ": " << r.output;
    EXPECT_NE(r.output.find("no database at"), std::string::npos)
        << verb << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(missing)) << verb;
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

// Issue 12: a second sample store on a taken port started silently.
TEST(CliTest, SampleStoreOnATakenPortExits1) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int yes = 1;  // what a stock cpp-httplib server sets
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 5), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const int port = ntohs(a.sin_port);
  auto r = RunCratedig("samplestore --port " + std::to_string(port) +
                       " --tracks-per-genre 1 --preview-seconds 0.2");
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("already in use"), std::string::npos) << r.output;
}

TEST(CliTest, StatusOnUnreadableDatabaseFailsClearly) {
  auto r = RunCratedig("status --db /proc/cratedig-no-such/x.db");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("/proc/cratedig-no-such/x.db"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace cratedig
