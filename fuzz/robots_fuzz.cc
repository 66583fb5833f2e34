// libFuzzer target: the robots.txt parser and matcher on arbitrary bytes.
// Property: never crash or hang; /robots.txt is always allowed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crawler/robots.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using cratedig::crawler::ParseRobots;
  for (const char* agent : {"cratedig", "*", ""}) {
    auto rules = ParseRobots(text, agent);
    if (!rules.Allowed("/robots.txt")) std::abort();
    for (const char* path : {"/", "/search/?q=1", "/products/a/1-2/",
                             "/MP3/SF1-2-01-01.mp3", "/a%2fb"}) {
      (void)rules.Allowed(path);
    }
    if (auto d = rules.crawl_delay(); d && *d < 0) std::abort();
  }
  // The pattern matcher with the input split into pattern and path.
  size_t cut = text.find('\n');
  if (cut != std::string_view::npos) {
    (void)cratedig::crawler::RobotsPatternMatches(text.substr(0, cut),
                                                  text.substr(cut + 1));
  }
  return 0;
}
