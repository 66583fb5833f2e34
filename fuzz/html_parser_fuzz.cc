// libFuzzer target: the page parsers (and through them Gumbo, the selector
// matcher, URL resolution and the field parsers) on arbitrary bytes.
// Property: never crash, never hang; records keep their invariants.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/site_profile.h"
#include "crawler/page_parser.h"
#include "crawler/selector.h"

namespace {

const cratedig::crawler::PageParser& Parser() {
  static const auto* parser = [] {
    cratedig::config::SiteProfile profile;
    profile.base_url = "http://127.0.0.1:8080";
    profile.genre_map = {{"Trance", "Trance"}};
    auto p = cratedig::crawler::PageParser::Create(profile);
    if (!p.ok()) std::abort();
    return new cratedig::crawler::PageParser(std::move(*p));
  }();
  return *parser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  static const auto listing_url = *cratedig::crawler::ParseUrl(
      "http://127.0.0.1:8080/trance/back-cat/releases/1/?x=1");
  static const auto product_url = *cratedig::crawler::ParseUrl(
      "http://127.0.0.1:8080/products/x/1234567-01/");
  auto listing = Parser().ParseListing(html, listing_url, "Trance");
  for (const auto& r : listing.releases) {
    if (r.store_id.empty()) std::abort();  // items without an id are skipped
    for (size_t i = 0; i < r.tracks.size(); ++i) {
      if (r.tracks[i].position != static_cast<int>(i) + 1) std::abort();
    }
  }
  auto product = Parser().ParseProduct(html, product_url);
  if (product.release.store_id != "1234567-01") std::abort();
  // The selector parser on the first line of the input.
  std::string_view first = html.substr(0, html.find('\n'));
  auto sel = cratedig::crawler::Selector::Parse(first);
  (void)sel.ok();
  return 0;
}
