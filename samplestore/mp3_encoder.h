// PCM -> mp3 bytes with libavcodec's libmp3lame encoder, in memory.
//
// Output: an MPEG-1 Layer III stream (44.1 kHz stereo, constant bit rate)
// with a Xing/LAME info frame carrying the encoder delay and padding, so
// FFmpeg decodes it back to exactly the input's length. No ID3 tags and the
// bit-exact flags are set: the same PCM always gives the same bytes.
#pragma once

#include <string>

#include "core/status.h"
#include "samplestore/synth.h"

namespace cratedig::samplestore {

struct Mp3Options {
  int bit_rate = 128000;  // Default: 128 kbps CBR.
  // LAME's quality/speed trade-off, 0 (best, slowest) .. 9 (fastest).
  // Default: 7, a few times faster than LAME's default and inaudible for
  // spectrograms at 128 kbps.
  int quality = 7;
};

// REQUIRES: pcm.left.size() == pcm.right.size() > 0; 44.1 kHz.
Result<std::string> EncodeMp3(const StereoPcm& pcm,
                              const Mp3Options& options = {});

}  // namespace cratedig::samplestore
