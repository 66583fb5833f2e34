// The JSON API, previews by id only, spectrograms, and 404 for anything
// else (".." in every spelling).
#include "recommender/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "core/files.h"
#include "core/json.h"
#include "db/catalogue_tables.h"
#include "tests/recommender/fixture.h"
#include "tests/recommender/server_harness.h"

namespace cratedig::recommender {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tracks = testing::GenreClusterTracks();
    tracks[5].preview = false;  // a failed download: no file to serve
    tracks[6].tiles = 0;        // no spectrogram
    ASSERT_EQ(testing::BuildFixture(dir_.path(), tracks, fx_), "");
    ASSERT_EQ(server_.Start(fx_.db_path), "");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }
  json::Json GetJson(const std::string& path, int want_status = 200) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, want_status) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    auto v = json::Parse(res->body);
    EXPECT_TRUE(v.ok()) << path << ": " << res->body;
    return v.ok() ? *v : json::Json();
  }
  int64_t id(int row) const { return fx_.track_ids[row]; }

  testing::TempDir dir_;
  testing::Fixture fx_;
  testing::RunningServer server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, SearchFindsArtistOrTitleCaseInsensitively) {
  json::Json v = GetJson("/api/search?q=artist%20b");
  ASSERT_EQ(v["tracks"].size(), 2u);  // rows 2 and 3
  EXPECT_EQ(v["tracks"][0]["id"].get<int64_t>(), id(2));
  EXPECT_EQ(v["tracks"][0]["genre"].get<std::string>(), "Trance");
  EXPECT_EQ(GetJson("/api/search?q=TUNE%2011")["tracks"].size(), 1u);
  EXPECT_EQ(GetJson("/api/search?q=tune&limit=4")["tracks"].size(), 4u);
  EXPECT_EQ(GetJson("/api/search?q=nothing-like-this")["tracks"].size(), 0u);
  EXPECT_EQ(GetJson("/api/search")["tracks"].size(), 0u);
}

TEST_F(ServerTest, TrackAndRecommendations) {
  json::Json t = GetJson("/api/tracks/" + std::to_string(id(4)));
  EXPECT_EQ(t["title"].get<std::string>(), "Tune 4");
  EXPECT_TRUE(t.contains("preview_url"));  // the CLI's name for it too
  EXPECT_EQ(t["genre"].get<std::string>(), "Drum and Bass");
  EXPECT_EQ(t["preview"].get<std::string>(),
            "/previews/" + std::to_string(id(4)) + ".mp3");
  EXPECT_EQ(t["run"].get<int64_t>(), fx_.run_id);
  EXPECT_TRUE(
      GetJson("/api/tracks/" + std::to_string(id(5)))["preview"].is_null());
  EXPECT_TRUE(
      GetJson("/api/tracks/" + std::to_string(id(6)))["spectrogram"].is_null());
  GetJson("/api/tracks/987654", 404);

  json::Json r =
      GetJson("/api/tracks/" + std::to_string(id(4)) + "/recommendations?k=4");
  ASSERT_EQ(r["recommendations"].size(), 4u);
  EXPECT_EQ(r["index"].get<std::string>(), "exact");
  double last = 2;
  for (size_t i = 0; i < 4; ++i) {
    json::Json& x = r["recommendations"][i];
    EXPECT_NE(x["id"].get<int64_t>(), id(4));
    EXPECT_LE(x["similarity"].get<double>(), last);
    last = x["similarity"].get<double>();
    if (i < 3) {
      EXPECT_EQ(x["genre"].get<std::string>(), "Drum and Bass");
    }
  }
  json::Json other = GetJson("/api/tracks/" + std::to_string(id(4)) +
                             "/recommendations?k=3&exclude_same_artist=1");
  for (size_t i = 0; i < other["recommendations"].size(); ++i) {
    EXPECT_NE(other["recommendations"][i]["id"].get<int64_t>(),
              id(5));  // Artist C
  }
  // k is clamped, not trusted.
  EXPECT_EQ(GetJson("/api/tracks/" + std::to_string(id(4)) +
                    "/recommendations?k=100000")["recommendations"]
                .size(),
            11u);
}

TEST_F(ServerTest, MapHasEveryTrackWithAGenre) {
  json::Json m = GetJson("/api/map");
  EXPECT_EQ(m["points"].size(), 12u);
  EXPECT_EQ(m["genres"].size(), 3u);
  EXPECT_EQ(m["points"][0].size(), 5u);  // id, x, y, genre, label
}

TEST_F(ServerTest, PreviewsOnlyByIdFromTheStoredPath) {
  auto res =
      client_->Get(("/previews/" + std::to_string(id(0)) + ".mp3").c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "audio/wav");
  auto file = ReadFile(fx_.preview_files[0]);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(res->body, *file);
  // A failed preview, an unknown id, and a file that went missing.
  EXPECT_EQ(testing::RawGet(server_.port(),
                            "/previews/" + std::to_string(id(5)) + ".mp3"),
            404);
  EXPECT_EQ(testing::RawGet(server_.port(), "/previews/424242.mp3"), 404);
  std::filesystem::remove(fx_.preview_files[1]);
  EXPECT_EQ(testing::RawGet(server_.port(),
                            "/previews/" + std::to_string(id(1)) + ".mp3"),
            404);
}

TEST_F(ServerTest, SpectrogramJoinsTheTrackTiles) {
  auto res =
      client_->Get(("/spectrograms/" + std::to_string(id(0)) + ".png").c_str());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "image/png");
  std::vector<uchar> bytes(res->body.begin(), res->body.end());
  cv::Mat img = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 2 * 64);  // two 64x64 tiles side by side
  EXPECT_EQ(img.rows, 64);
  EXPECT_EQ(testing::RawGet(server_.port(),
                            "/spectrograms/" + std::to_string(id(6)) + ".png"),
            404);
}

TEST_F(ServerTest, PageIsEmbedded) {
  std::string body;
  EXPECT_EQ(testing::RawGet(server_.port(), "/", &body), 200);
  EXPECT_NE(body.find("<title>cratedig"), std::string::npos);
  EXPECT_EQ(testing::RawGet(server_.port(), "/app.js"), 200);
  EXPECT_EQ(testing::RawGet(server_.port(), "/style.css"), 200);
}

TEST_F(ServerTest, TraversalAndUnknownPathsAre404) {
  const int port = server_.port();
  for (const char* path :
       {"/../../../../etc/passwd", "/previews/../../etc/passwd",
        "/previews/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
        "/previews/1.mp3/../../fixture.db", "/api/../index.html",
        "/spectrograms/..%2Ffixture.db", "/previews/abc.mp3", "/previews/1.wav",
        "/fixture.db", "/tiles/1/0.png", "/api/tracks/x", "/api/nothing",
        "/index.html/..", "/..", "/app.js/..%5c..%5c"}) {
    std::string response;
    EXPECT_EQ(testing::RawGet(port, path, &response), 404) << path;
    EXPECT_EQ(response.find("root:"), std::string::npos) << path;
  }
}

// Issue 12: "/api/search?q=%ff%fe" answered raw invalid UTF-8, not JSON.
TEST_F(ServerTest, InvalidUtf8InTheQueryGivesValidJson) {
  for (const char* path : {"/api/search?q=%ff%fe", "/api/search?q=a%c3",
                           "/api/search?q=%ed%a0%80x"}) {
    std::string response;
    EXPECT_EQ(testing::RawGet(server_.port(), path, &response), 200) << path;
    std::string body = response.substr(response.find("\r\n\r\n") + 4);
    auto v = json::Parse(body);  // strict: rejects invalid UTF-8
    ASSERT_TRUE(v.ok()) << path << ": " << v.status().ToString();
    EXPECT_EQ((*v)["tracks"].size(), 0u);
    EXPECT_NE((*v)["query"].get<std::string>().find("\xEF\xBF\xBD"),
              std::string::npos)
        << "invalid bytes become U+FFFD";
  }
}

// Issue 12: a second `serve` on a taken port started silently.
TEST_F(ServerTest, TakenPortIsAnError) {
  ServerOptions o;
  o.port = server_.port();
  auto second = Server::Create(fx_.db_path, std::nullopt, o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Status st = (*second)->Bind();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("already in use"), std::string::npos)
      << st.message();
}

// What `serve` and `demo` do: RunUntil serves on its own thread while the
// caller polls the cancel flag, which another thread sets (as the SIGINT
// handler does). Under TSan (scripts/tsan) this checks the flag and the
// hand-over of Run()'s result.
TEST_F(ServerTest, RunUntilStopsWhenCancelledFromAnotherThread) {
  ServerOptions o;
  o.port = 0;
  auto second = Server::Create(fx_.db_path, std::nullopt, o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Server& s = **second;
  ASSERT_TRUE(s.Bind().ok());
  CancelFlag cancel;
  int status = 0;
  std::thread user([&] {
    while (!s.running()) std::this_thread::yield();
    httplib::Client c("127.0.0.1", s.port());
    auto res = c.Get("/api/search?q=tune");
    status = res ? res->status : -1;
    cancel.requested = true;
  });
  Status st = s.RunUntil(cancel);
  user.join();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(status, 200);
  EXPECT_FALSE(s.running());
  // A flag set before the accept loop starts still stops it.
  auto third = Server::Create(fx_.db_path, std::nullopt, o);
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE((*third)->Bind().ok());
  EXPECT_TRUE((*third)->RunUntil(cancel).ok());
}

// Issue 12: a body is refused with 413 before it is read.
TEST_F(ServerTest, BodiesAreCapped) {
  std::string big(200 * 1024, 'x');
  auto res = client_->Post("/api/search", big, "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

}  // namespace
}  // namespace cratedig::recommender
