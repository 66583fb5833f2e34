// The listening page in headless Chromium, driven through WebDriver:
// search, open a result, play, follow a recommendation. Leaves a screenshot
// in <build>/test-artifacts/serve.png.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/json.h"
#include "tests/recommender/fixture.h"
#include "tests/recommender/server_harness.h"

extern char** environ;

namespace cratedig::recommender {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kDriver = "/usr/bin/chromedriver";
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// A string member, or "" when the driver answered something else.
std::string Str(const json::Json& v) {
  return v.is_string() ? v.get<std::string>() : "";
}

std::string Base64Decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// A minimal W3C WebDriver client over chromedriver.
class WebDriver {
 public:
  ~WebDriver() { Quit(); }

  std::string Start(const std::filesystem::path& profile) {
    port_ = FreePort();
    std::string port_arg = "--port=" + std::to_string(port_);
    std::vector<char*> argv = {const_cast<char*>(kDriver), port_arg.data(),
                               nullptr};
    if (posix_spawn(&pid_, kDriver, nullptr, nullptr, argv.data(), environ) !=
        0) {
      return "cannot start chromedriver";
    }
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    http_->set_read_timeout(60, 0);
    // Wait for the driver to answer (it starts in well under a second).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      auto res = http_->Get("/status");
      if (res && res->status == 200) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return "chromedriver did not come up";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    json::Json args = json::Json::array();
    for (const char* a :
         {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync",
          "--window-size=1280,900",
          "--autoplay-policy=no-user-gesture-required"}) {
      args.push_back(a);
    }
    args.push_back("--user-data-dir=" + profile.string());
    json::Json chrome = json::Json({{"binary", kChromium}});
    chrome["args"] = args;
    json::Json always = json::Json({{"browserName", "chrome"}});
    always["goog:chromeOptions"] = chrome;
    json::Json caps = json::Json::object();
    caps["alwaysMatch"] = always;
    json::Json body = json::Json::object();
    body["capabilities"] = caps;
    json::Json r = Call("POST", "/session", body);
    session_ = Str(r["value"]["sessionId"]);
    if (session_.empty()) return "no session: " + json::Dump(r);
    return "";
  }

  void Quit() {
    if (!session_.empty()) {
      Call("DELETE", "/session/" + session_, {});
      session_.clear();
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  json::Json Call(const std::string& method, const std::string& path,
                  const json::Json& body) {
    httplib::Result res{nullptr, httplib::Error::Unknown};
    if (method == "POST") {
      res = http_->Post(path.c_str(), json::Dump(body), "application/json");
    } else if (method == "DELETE") {
      res = http_->Delete(path.c_str());
    } else {
      res = http_->Get(path.c_str());
    }
    if (!res) return {};
    auto v = json::Parse(res->body);
    return v.ok() ? *v : json::Json();
  }
  json::Json S(const std::string& method, const std::string& tail,
               const json::Json& body = json::Json::object()) {
    return Call(method, "/session/" + session_ + tail, body);
  }

  void Go(const std::string& url) {
    S("POST", "/url", json::Json({{"url", url}}));
  }
  // The element id, or "" when not found.
  std::string Find(const std::string& css) {
    json::Json r = S("POST", "/element",
                     json::Json({{"using", "css selector"}, {"value", css}}));
    return Str(r["value"][kElementKey]);
  }
  void Click(const std::string& element) {
    S("POST", "/element/" + element + "/click");
  }
  void Type(const std::string& element, const std::string& text) {
    S("POST", "/element/" + element + "/value", json::Json({{"text", text}}));
  }
  json::Json Eval(const std::string& script) {
    json::Json body = json::Json({{"script", script}});
    body["args"] = json::Json::array();
    return S("POST", "/execute/sync", body)["value"];
  }
  // Polls `script` until it returns true (or the timeout passes).
  bool WaitFor(const std::string& script, int seconds = 15) {
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Eval(script) == true) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string Screenshot() {
    return Base64Decode(S("GET", "/screenshot")["value"].get<std::string>());
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

TEST(BrowserTest, SearchPlayAndFollowARecommendation) {
  if (!std::filesystem::exists(kChromium) ||
      !std::filesystem::exists(kDriver)) {
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver";
  }
  testing::TempDir dir("browser");
  testing::Fixture fx;
  auto tracks = testing::GenreClusterTracks();
  // Spectrogram tiles with some texture for the screenshot.
  for (size_t i = 0; i < tracks.size(); ++i) {
    tracks[i].tiles = 6;
    tracks[i].tile_row = [i](int r) {
      return static_cast<uint8_t>((r * (3 + i) * 7) % 200 + 30);
    };
  }
  ASSERT_EQ(testing::BuildFixture(dir.path(), tracks, fx), "");
  testing::RunningServer server;
  ASSERT_EQ(server.Start(fx.db_path), "");
  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/";

  WebDriver wd;
  ASSERT_EQ(wd.Start(dir.path() / "chrome-profile"), "");
  wd.Go(url);
  ASSERT_TRUE(
      wd.WaitFor("return document.querySelector('#legend li') !== null"))
      << "the map did not load";

  // Search for "Artist E": rows 8 and 9 (Downtempo).
  std::string q = wd.Find("#q");
  ASSERT_FALSE(q.empty());
  wd.Type(q, "artist e");
  ASSERT_TRUE(wd.WaitFor(
      "return document.querySelectorAll('#results li').length == 2"));
  std::string first = wd.Find("#results li");
  ASSERT_FALSE(first.empty());
  wd.Click(first);
  const std::string want = std::to_string(fx.track_ids[8]);
  ASSERT_TRUE(wd.WaitFor(
      "return document.querySelector('#track-panel').dataset.id == '" + want +
      "' && document.querySelectorAll('#recs li').length == 10"));
  EXPECT_EQ(wd.Eval("return document.querySelector('#track-title')"
                    ".textContent")
                .get<std::string>(),
            "Artist E \u2013 Tune 8");

  // Play: the audio element loads the preview served by id and runs.
  wd.Click(wd.Find("#play"));
  const char* playing =
      "const p = document.querySelector('#player');"
      "return p.readyState > 0 && (!p.paused || p.currentTime > 0);";
  EXPECT_TRUE(wd.WaitFor(playing)) << json::Dump(
      wd.Eval("const p = document.querySelector('#player');"
              "return [p.paused, p.currentTime, p.readyState, p.currentSrc, "
              "p.error ? p.error.code : 0];"));
  EXPECT_EQ(wd.Eval("return document.querySelector('#player').currentSrc")
                .get<std::string>(),
            url + "previews/" + want + ".mp3");
  // The spectrogram image decoded.
  EXPECT_TRUE(
      wd.WaitFor("const i = document.querySelector('#spectrogram');"
                 "return i.complete && i.naturalWidth == 6 * 64;"));

  // The first recommendation: the same-genre track by the same artist.
  const std::string rec_id =
      wd.Eval("return document.querySelector('#recs li').dataset.id")
          .get<std::string>();
  EXPECT_EQ(rec_id, std::to_string(fx.track_ids[9]));
  wd.Click(wd.Find("#recs li .open"));
  ASSERT_TRUE(wd.WaitFor(
      "return document.querySelector('#track-panel').dataset.id == '" + rec_id +
      "'"));
  EXPECT_EQ(wd.Eval("return location.hash").get<std::string>(),
            "#track=" + rec_id);
  // The new track's recommendations include the one we came from.
  EXPECT_TRUE(wd.WaitFor("return document.querySelector('#recs li[data-id=\"" +
                         want + "\"]') !== null"));
  wd.Eval("document.querySelector('#player').pause(); return true;");

  const std::string png = wd.Screenshot();
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  std::filesystem::path out =
      std::filesystem::path(CRATEDIG_BINARY_DIR) / "test-artifacts";
  std::filesystem::create_directories(out);
  std::ofstream(out / "serve.png", std::ios::binary) << png;
}

}  // namespace
}  // namespace cratedig::recommender
