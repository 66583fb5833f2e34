// A cheap check that bytes are an mp3: an ID3v2 tag, or an MPEG audio frame
// header whose successor frame header is where its length says (when the
// data is long enough). Catches HTML error pages, truncated bodies cut
// before the first frame, and random bytes served as audio.
#pragma once

#include <string_view>

#include "core/status.h"

namespace cratedig::crawler {

// Ok, or Corrupt with the reason ("no ID3 tag or MPEG frame sync at 0").
Status CheckMp3(std::string_view data);

}  // namespace cratedig::crawler
