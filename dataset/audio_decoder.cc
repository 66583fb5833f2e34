#include "dataset/audio_decoder.h"

#include <fmt/format.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>

namespace cratedig::dataset {

namespace {

// FFmpeg logs to stderr by default; library code must not print. Keep the
// last error line of this thread so a failure can say what FFmpeg saw.
thread_local std::string t_last_av_error;

void AvLogToThreadLocal(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > AV_LOG_ERROR) return;
  char line[512];
  int print_prefix = 1;
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
  std::string s(line);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  t_last_av_error = s;
}

void InstallAvLogOnce() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(AvLogToThreadLocal); });
}

std::string AvErr(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

Status Corrupt(const std::string& path, const std::string& what, int err) {
  std::string msg = path + ": " + what;
  if (err != 0) msg += ": " + AvErr(err);
  if (!t_last_av_error.empty()) msg += " (" + t_last_av_error + ")";
  return Status::Corrupt(msg);
}

struct FormatCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct CodecFreer {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct SwrFreer {
  void operator()(SwrContext* c) const { swr_free(&c); }
};
struct FrameFreer {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};

// Streams decoded frames through swresample into `out`.
class Converter {
 public:
  Converter(int rate, size_t max_samples)
      : rate_(rate), max_samples_(max_samples) {}
  ~Converter() { av_channel_layout_uninit(&in_layout_); }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  Status Push(const AVFrame* f, const std::string& path) {
    if (!swr_ || f->format != in_fmt_ || f->sample_rate != in_rate_ ||
        av_channel_layout_compare(&f->ch_layout, &in_layout_) != 0) {
      CRATEDIG_RETURN_IF_ERROR(Flush(path));
      CRATEDIG_RETURN_IF_ERROR(Init(f, path));
    }
    return Convert(f->extended_data, f->nb_samples, path);
  }

  // Drains what the resampler holds (its filter delay).
  Status Flush(const std::string& path) {
    if (!swr_) return Status::Ok();
    return Convert(nullptr, 0, path);
  }

  bool full() const { return out.size() >= max_samples_; }

  std::vector<float> out;

 private:
  Status Init(const AVFrame* f, const std::string& path) {
    av_channel_layout_uninit(&in_layout_);
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC ||
        f->ch_layout.nb_channels <= 0) {
      // WAV and raw inputs may only say how many channels they have.
      av_channel_layout_default(&in_layout_,
                                std::max(1, f->ch_layout.nb_channels));
    } else if (av_channel_layout_copy(&in_layout_, &f->ch_layout) < 0) {
      return Status::Internal("out of memory copying a channel layout");
    }
    in_fmt_ = f->format;
    in_rate_ = f->sample_rate;
    if (in_rate_ <= 0) return Corrupt(path, "audio with no sample rate", 0);
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    SwrContext* s = nullptr;
    int err =
        swr_alloc_set_opts2(&s, &mono, AV_SAMPLE_FMT_FLT, rate_, &in_layout_,
                            AVSampleFormat(in_fmt_), in_rate_, 0, nullptr);
    swr_.reset(s);
    if (err < 0) return Corrupt(path, "cannot set up the resampler", err);
    err = swr_init(swr_.get());
    if (err < 0) return Corrupt(path, "cannot set up the resampler", err);
    return Status::Ok();
  }

  Status Convert(uint8_t** in, int n, const std::string& path) {
    int cap = swr_get_out_samples(swr_.get(), n);
    if (cap < 0) return Corrupt(path, "resampler error", cap);
    if (cap == 0) return Status::Ok();
    size_t at = out.size();
    out.resize(at + static_cast<size_t>(cap));
    uint8_t* dst = reinterpret_cast<uint8_t*>(out.data() + at);
    int got =
        swr_convert(swr_.get(), &dst, cap, const_cast<const uint8_t**>(in), n);
    if (got < 0) {
      out.resize(at);
      return Corrupt(path, "resampler error", got);
    }
    out.resize(at + static_cast<size_t>(got));
    return Status::Ok();
  }

  int rate_;
  size_t max_samples_;
  std::unique_ptr<SwrContext, SwrFreer> swr_;
  AVChannelLayout in_layout_{};
  int in_fmt_ = -1;
  int in_rate_ = 0;
};

// A file that is not there, not a regular file or empty never reaches
// FFmpeg.
Status CheckInputFile(const std::string& path) {
  std::error_code ec;
  const auto kind = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(kind)) {
    return Status::NotFound(path + ": no such file");
  }
  if (std::filesystem::is_directory(kind)) {
    return Status::InvalidArgument(path +
                                   ": is a directory; give an audio file");
  }
  if (!std::filesystem::is_regular_file(kind)) {
    return Status::InvalidArgument(path + ": not a regular file");
  }
  if (std::filesystem::file_size(path, ec) == 0) {
    return Status::Corrupt(path + ": empty file (0 bytes)");
  }
  return Status::Ok();
}

// An opened file and the decoder of its best audio stream.
struct Input {
  std::unique_ptr<AVFormatContext, FormatCloser> fmt;
  std::unique_ptr<AVCodecContext, CodecFreer> dec;
  int stream = -1;
  double duration = 0;  // seconds, as the container says; 0 if unknown
};

Result<Input> OpenInput(const std::string& path) {
  Input in;
  AVFormatContext* raw_fmt = nullptr;
  int err = avformat_open_input(&raw_fmt, path.c_str(), nullptr, nullptr);
  if (err < 0) return Corrupt(path, "not a readable media file", err);
  in.fmt.reset(raw_fmt);
  err = avformat_find_stream_info(in.fmt.get(), nullptr);
  if (err < 0) return Corrupt(path, "cannot read stream info", err);

  const AVCodec* codec = nullptr;
  in.stream =
      av_find_best_stream(in.fmt.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (in.stream < 0 || codec == nullptr) {
    return Corrupt(path, "no audio stream", in.stream < 0 ? in.stream : 0);
  }
  // Only the audio stream's packets are wanted; the demuxer may skip others.
  for (unsigned i = 0; i < in.fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != in.stream) {
      in.fmt->streams[i]->discard = AVDISCARD_ALL;
    }
  }
  in.dec.reset(avcodec_alloc_context3(codec));
  if (!in.dec) return Status::Internal("out of memory allocating a decoder");
  err = avcodec_parameters_to_context(in.dec.get(),
                                      in.fmt->streams[in.stream]->codecpar);
  if (err < 0) return Corrupt(path, "bad codec parameters", err);
  in.dec->thread_count = 1;  // parallelism is over files, not inside one
  err = avcodec_open2(in.dec.get(), codec, nullptr);
  if (err < 0) return Corrupt(path, "cannot open the audio decoder", err);
  in.duration = in.fmt->duration > 0
                    ? static_cast<double>(in.fmt->duration) / AV_TIME_BASE
                    : 0.0;
  return in;
}

// What the decode loop met on its way.
struct DecodeCounts {
  int decode_errors = 0;
  int last_decode_error = 0;
  int64_t frames_ok = 0;
  bool read_error = false;
  int last_read_error = 0;
};

// Reads packets of in.stream until the end, a read error or conv is full,
// decoding them into conv. Damaged packets and frames are skipped and
// counted, as the ffmpeg CLI does; only the resampler's errors return.
Status DecodeInto(Input& in, const std::string& path, Converter& conv,
                  DecodeCounts& c) {
  std::unique_ptr<AVPacket, PacketFreer> pkt(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFreer> frame(av_frame_alloc());
  if (!pkt || !frame) return Status::Internal("out of memory");
  AVCodecContext* dec = in.dec.get();
  auto drain = [&]() -> Status {
    for (;;) {
      int r = avcodec_receive_frame(dec, frame.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return Status::Ok();
      if (r < 0) {
        // A damaged frame: skip it, as the ffmpeg CLI does.
        ++c.decode_errors;
        c.last_decode_error = r;
        return Status::Ok();
      }
      ++c.frames_ok;
      Status st = conv.Push(frame.get(), path);
      av_frame_unref(frame.get());
      CRATEDIG_RETURN_IF_ERROR(st);
    }
  };
  while (!conv.full()) {
    int r = av_read_frame(in.fmt.get(), pkt.get());
    if (r == AVERROR_EOF) break;
    if (r < 0) {
      c.read_error = true;
      c.last_read_error = r;
      break;
    }
    if (pkt->stream_index == in.stream) {
      int s = avcodec_send_packet(dec, pkt.get());
      if (s < 0 && s != AVERROR(EAGAIN)) {
        ++c.decode_errors;
        c.last_decode_error = s;
      }
      av_packet_unref(pkt.get());
      CRATEDIG_RETURN_IF_ERROR(drain());
    } else {
      av_packet_unref(pkt.get());
    }
  }
  if (!conv.full()) {
    // Flush the decoder's delayed frames.
    if (avcodec_send_packet(dec, nullptr) >= 0) {
      CRATEDIG_RETURN_IF_ERROR(drain());
    }
  }
  return conv.Flush(path);
}

// Whether what came out is the file's audio or the remains of a corrupt
// file.
Status JudgeDecode(const std::string& path, int sample_rate, double dur,
                   const Converter& conv, const DecodeCounts& c) {
  // Garbage with an mp3 name: the demuxer finds a few false frame syncs and
  // most packets fail to decode. That is a corrupt file, not a short one
  // (the few samples that came out would otherwise read as "too short").
  if (c.decode_errors > 0 && c.decode_errors >= c.frames_ok) {
    return Corrupt(path,
                   "corrupt audio: " + std::to_string(c.decode_errors) +
                       " damaged packets, " + std::to_string(c.frames_ok) +
                       " decodable",
                   c.last_decode_error);
  }
  // A damaged file (garbage past some point) decodes its good start and
  // then nothing: the container still says how long it should be. Far
  // less than that is a corrupt file, not a short one.
  const double got_s = static_cast<double>(conv.out.size()) / sample_rate;
  if (!conv.full() && dur > 1.0 && got_s < 0.5 * dur) {
    return Corrupt(
        path,
        fmt::format("corrupt or truncated audio: only {:.2f} s of its {:.2f} s "
                    "decode",
                    got_s, dur),
        c.read_error ? c.last_read_error : 0);
  }
  if (conv.out.empty()) {
    if (c.read_error) return Corrupt(path, "read error", c.last_read_error);
    if (c.decode_errors > 0) {
      return Corrupt(path, "no audio could be decoded", c.last_decode_error);
    }
    return Corrupt(path, "no audio in the file", 0);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<float>> DecodeAudio(const std::string& path, int sample_rate,
                                       const DecodeOptions& options) {
  InstallAvLogOnce();
  t_last_av_error.clear();
  if (sample_rate <= 0) {
    return Status::InvalidArgument("sample rate must be > 0");
  }
  CRATEDIG_RETURN_IF_ERROR(CheckInputFile(path));
  CRATEDIG_ASSIGN_OR_RETURN(Input in, OpenInput(path));

  const double max_s = options.max_seconds > 0 ? options.max_seconds : 1e12;
  const size_t max_samples =
      static_cast<size_t>(std::min(max_s * sample_rate, 4.0e9));
  Converter conv(sample_rate, max_samples);
  // A preview is ~2 min; reserving avoids most regrowth.
  const double dur = in.duration;
  if (dur > 0 && dur < max_s) {
    conv.out.reserve(static_cast<size_t>((dur + 1) * sample_rate));
  }
  DecodeCounts counts;
  CRATEDIG_RETURN_IF_ERROR(DecodeInto(in, path, conv, counts));
  if (conv.out.size() > max_samples) conv.out.resize(max_samples);
  CRATEDIG_RETURN_IF_ERROR(JudgeDecode(path, sample_rate, dur, conv, counts));
  // Some decoders emit NaN/Inf on garbage input; keep the maths finite.
  for (float& x : conv.out) {
    if (!std::isfinite(x)) x = 0.0f;
  }
  return std::move(conv.out);
}

}  // namespace cratedig::dataset
