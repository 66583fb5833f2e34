// The real `cratedig` binary on a fixture: recommend (table and JSON),
// evaluate-recs, and their errors and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "core/json.h"
#include "tests/recommender/fixture.h"

namespace cratedig::recommender {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// Runs the binary with `args` (trusted test strings), capturing stdout.
CliRun Cratedig(const std::string& args) {
  const std::string cmd = std::string(CRATEDIG_BINARY_DIR) + "/cli/cratedig " +
                          args + " 2>/dev/null";
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(
        testing::BuildFixture(dir_.path(), testing::GenreClusterTracks(), fx_),
        "");
    db_ = " --db " + fx_.db_path;
  }
  testing::TempDir dir_{"cli"};
  testing::Fixture fx_;
  std::string db_;
};

TEST_F(CliTest, RecommendPrintsTableAndJson) {
  CliRun t = Cratedig("recommend" + db_ + " --track " +
                      std::to_string(fx_.track_ids[0]));
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("Sounds like track"), std::string::npos);
  EXPECT_NE(t.out.find("Artist A - Tune 1"), std::string::npos);
  EXPECT_NE(t.out.find("http://127.0.0.1/MP3/SF"), std::string::npos);

  CliRun j = Cratedig("recommend" + db_ + " --track " +
                      std::to_string(fx_.track_ids[0]) +
                      " -k 3 --exclude-same-artist --json --index hnsw "
                      "--index-dir " +
                      (dir_.path() / "idx").string());
  ASSERT_EQ(j.exit_code, 0) << j.out;
  auto v = json::Parse(j.out);
  ASSERT_TRUE(v.ok()) << j.out;
  EXPECT_EQ((*v)["run"].get<int64_t>(), fx_.run_id);
  EXPECT_EQ((*v)["index"]["kind"].get<std::string>(), "hnsw");
  EXPECT_TRUE((*v)["index"].contains("recall_at_10"));
  ASSERT_EQ((*v)["recommendations"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NE((*v)["recommendations"][i]["artist"].get<std::string>(),
              "Artist A");
  }
  EXPECT_EQ((*v)["recommendations"][0]["genre"].get<std::string>(), "Trance");
}

TEST_F(CliTest, RecommendErrors) {
  EXPECT_EQ(Cratedig("recommend" + db_ + " --track 99999").exit_code, 1);
  EXPECT_EQ(Cratedig("recommend" + db_).exit_code, 2);  // no --track/--file
  EXPECT_EQ(Cratedig("recommend" + db_ + " --track 1 --index fast").exit_code,
            2);
  EXPECT_EQ(Cratedig("recommend" + db_ + " --track 1 --run 77").exit_code, 1);
}

TEST_F(CliTest, EvaluateRecsPrintsAndStores) {
  CliRun r = Cratedig("evaluate-recs" + db_ + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto v = json::Parse(r.out);
  ASSERT_TRUE(v.ok()) << r.out;
  EXPECT_DOUBLE_EQ((*v)["methods"]["cnn"]["p10"].get<double>(), 0.3);
  EXPECT_TRUE((*v)["methods"].contains("random"));
  EXPECT_TRUE((*v)["methods"].contains("audio_features"));
  // One release per fixture track: leaving the album out changes nothing.
  EXPECT_DOUBLE_EQ((*v)["methods"]["cnn"]["p10_other_album"].get<double>(),
                   0.3);
  CliRun t = Cratedig("evaluate-recs" + db_ + " --no-store");
  ASSERT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("audio_features"), std::string::npos);
  EXPECT_NE(t.out.find("p@10 by parent genre"), std::string::npos);
  EXPECT_NE(t.out.find("p@10 other album"), std::string::npos);
}

}  // namespace
}  // namespace cratedig::recommender
