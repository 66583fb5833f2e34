// Composes a track's stored spectrogram tiles into one PNG for the page.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig::recommender {

struct SpectrogramImageOptions {
  int max_tiles = 24;  // Default: 24 tiles (~2 minutes at 5.12 s each).
  bool colour = true;  // inferno colour map; false: the grey tiles as is
};

// Reads `tile_paths` (in tile order; absolute paths from the database),
// joins them left to right and encodes a PNG. Tiles of another height than
// the first are skipped. NotFound when none could be read.
Result<std::string> ComposeSpectrogramPng(
    const std::vector<std::string>& tile_paths,
    const SpectrogramImageOptions& o = {});

}  // namespace cratedig::recommender
