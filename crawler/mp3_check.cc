#include "crawler/mp3_check.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace cratedig::crawler {

namespace {

// Length in bytes of the MPEG audio frame whose header starts at p, or 0 if
// the 4 bytes are not a valid header.
size_t FrameLength(const unsigned char* p) {
  if (p[0] != 0xFF || (p[1] & 0xE0) != 0xE0) return 0;
  int version = (p[1] >> 3) & 3;  // 0: 2.5, 1: reserved, 2: v2, 3: v1
  int layer = (p[1] >> 1) & 3;    // 1: III, 2: II, 3: I, 0: reserved
  int bitrate_idx = (p[2] >> 4) & 15;
  int rate_idx = (p[2] >> 2) & 3;
  int padding = (p[2] >> 1) & 1;
  if (version == 1 || layer == 0 || bitrate_idx == 0 || bitrate_idx == 15 ||
      rate_idx == 3) {
    return 0;
  }
  static const int kV1[3][15] = {
      {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
      {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}};
  static const int kV2[3][15] = {
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}};
  static const int kRates[3] = {44100, 48000, 32000};
  int layer_row = 3 - layer;  // 0: I, 1: II, 2: III
  int kbps =
      version == 3 ? kV1[layer_row][bitrate_idx] : kV2[layer_row][bitrate_idx];
  int rate = kRates[rate_idx];
  if (version == 2) rate /= 2;
  if (version == 0) rate /= 4;
  int coeff = (layer_row == 2 && version != 3) ? 72 : 144;
  // At most 144 * 448 * 1000 / 8000 + 1 = 8,065 bytes: int arithmetic
  // cannot overflow, so the result is widened only once it is known.
  const int bytes = layer_row == 0 ? (12 * kbps * 1000 / rate + padding) * 4
                                   : coeff * kbps * 1000 / rate + padding;
  return static_cast<size_t>(bytes);
}

}  // namespace

Status CheckMp3(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t off = 0;
  if (n >= 10 && p[0] == 'I' && p[1] == 'D' && p[2] == '3') {
    // ID3v2: syncsafe size, plus a footer when flag 0x10 is set.
    if ((p[6] | p[7] | p[8] | p[9]) & 0x80) {
      return Status::Corrupt("bad ID3v2 tag size");
    }
    size_t size = (size_t{p[6]} << 21) | (size_t{p[7]} << 14) |
                  (size_t{p[8]} << 7) | size_t{p[9]};
    off = 10 + size + ((p[5] & 0x10) ? 10 : 0);
    if (off >= n) return Status::Corrupt("ID3 tag but no audio after it");
    // Some encoders pad after the tag; allow a little slack.
    size_t limit = std::min(n, off + 4096);
    while (off + 4 <= limit && FrameLength(p + off) == 0) ++off;
  }
  if (off + 4 > n) return Status::Corrupt("too short for an mp3");
  size_t len = FrameLength(p + off);
  if (len == 0) {
    return Status::Corrupt("no ID3 tag or MPEG frame sync at byte " +
                           std::to_string(off));
  }
  // Confirm with the next frame when the data holds it.
  if (off + len + 4 <= n && FrameLength(p + off + len) == 0) {
    return Status::Corrupt("MPEG frame at byte " + std::to_string(off) +
                           " is not followed by another frame");
  }
  return Status::Ok();
}

}  // namespace cratedig::crawler
