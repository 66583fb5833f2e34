// DecodeAudio: any file FFmpeg reads (mp3, ogg, flac, wav, m4a, ...) to mono
// float samples at a chosen rate, with libavformat/libavcodec/libswresample.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig::dataset {

struct DecodeOptions {
  // Stop after this many seconds of output. Default: 0, no limit.
  double max_seconds = 0;
};

// Decodes the best audio stream of `path`, downmixes it to mono and
// resamples it to `sample_rate` Hz. Samples are in [-1, 1] (full scale).
// Thread-safe (no shared state); the codec runs single-threaded because
// callers parallelise over files.
// Errors: kNotFound (no such file), kInvalidArgument (a directory or other
// non-file), kCorrupt (not audio FFmpeg can read, no audio stream, nothing
// decoded: an empty file, or mostly undecodable packets: "corrupt audio").
Result<std::vector<float>> DecodeAudio(const std::string& path, int sample_rate,
                                       const DecodeOptions& options = {});

}  // namespace cratedig::dataset
