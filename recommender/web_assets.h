// The listening page's files (recommender/web/), compiled into the binary
// by embed_assets.cmake so `cratedig serve` never reads them from the
// working directory.
#pragma once

#include <string_view>
#include <vector>

namespace cratedig::recommender {

struct WebAsset {
  std::string_view path;  // URL path: "/index.html", "/app.js", ...
  std::string_view mime;
  std::string_view body;
};

// Every embedded file, in a fixed order. Defined in the generated
// web_assets.cc.
const std::vector<WebAsset>& WebAssets();

// The asset served at `path` ("/" is "/index.html"), or null.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace cratedig::recommender
