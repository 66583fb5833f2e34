#include "samplestore/mp3_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <cstring>
#include <memory>

namespace cratedig::samplestore {

namespace {

// A seekable in-memory sink for libavformat (the mp3 muxer rewrites its
// Xing frame at the end, so the sink must seek).
struct MemorySink {
  std::string data;
  int64_t pos = 0;

  static int Write(void* opaque, uint8_t* buf, int size) {
    auto* s = static_cast<MemorySink*>(opaque);
    if (s->pos + size > static_cast<int64_t>(s->data.size())) {
      s->data.resize(s->pos + size);
    }
    std::memcpy(s->data.data() + s->pos, buf, size);
    s->pos += size;
    return size;
  }
  static int64_t Seek(void* opaque, int64_t offset, int whence) {
    auto* s = static_cast<MemorySink*>(opaque);
    const int64_t size = static_cast<int64_t>(s->data.size());
    switch (whence & ~AVSEEK_FORCE) {
      case SEEK_SET:
        s->pos = offset;
        break;
      case SEEK_CUR:
        s->pos += offset;
        break;
      case SEEK_END:
        s->pos = size + offset;
        break;
      case AVSEEK_SIZE:
        return size;
      default:
        return -1;
    }
    return s->pos;
  }
};

std::string AvError(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

struct CodecCtxDeleter {
  void operator()(AVCodecContext* c) { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) { av_packet_free(&p); }
};
struct FormatDeleter {
  void operator()(AVFormatContext* f) {
    if (f->pb) {
      av_freep(&f->pb->buffer);
      avio_context_free(&f->pb);
    }
    avformat_free_context(f);
  }
};

}  // namespace

Result<std::string> EncodeMp3(const StereoPcm& pcm, const Mp3Options& o) {
  if (pcm.left.empty() || pcm.left.size() != pcm.right.size()) {
    return Status::InvalidArgument("EncodeMp3: empty or unequal channels");
  }
  const AVCodec* codec = avcodec_find_encoder_by_name("libmp3lame");
  if (!codec) return Status::Internal("libavcodec has no libmp3lame encoder");
  std::unique_ptr<AVCodecContext, CodecCtxDeleter> enc(
      avcodec_alloc_context3(codec));
  enc->bit_rate = o.bit_rate;
  enc->sample_rate = kSampleRate;
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
  av_channel_layout_default(&enc->ch_layout, 2);
  enc->time_base = AVRational{1, kSampleRate};
  enc->compression_level = o.quality;
  enc->flags |= AV_CODEC_FLAG_BITEXACT;
  // The muxer needs the codec parameters for its Xing frame.
  AVFormatContext* fmt_raw = nullptr;
  int err = avformat_alloc_output_context2(&fmt_raw, nullptr, "mp3", nullptr);
  if (err < 0 || !fmt_raw) {
    return Status::Internal("mp3 muxer: " + AvError(err));
  }
  std::unique_ptr<AVFormatContext, FormatDeleter> fmt(fmt_raw);
  fmt->flags |= AVFMT_FLAG_BITEXACT;
  if (fmt->oformat->flags & AVFMT_GLOBALHEADER) {
    enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  }
  if ((err = avcodec_open2(enc.get(), codec, nullptr)) < 0) {
    return Status::Internal("libmp3lame open: " + AvError(err));
  }
  AVStream* stream = avformat_new_stream(fmt.get(), nullptr);
  if (!stream) return Status::Internal("avformat_new_stream failed");
  avcodec_parameters_from_context(stream->codecpar, enc.get());
  stream->time_base = enc->time_base;

  MemorySink sink;
  constexpr int kBuf = 1 << 16;
  auto* buf = static_cast<unsigned char*>(av_malloc(kBuf));
  fmt->pb = avio_alloc_context(buf, kBuf, 1, &sink, nullptr, &MemorySink::Write,
                               &MemorySink::Seek);
  if (!fmt->pb) {
    av_free(buf);
    return Status::Internal("avio_alloc_context failed");
  }
  fmt->pb->seekable = AVIO_SEEKABLE_NORMAL;
  AVDictionary* mux_opts = nullptr;
  av_dict_set(&mux_opts, "id3v2_version", "0", 0);
  av_dict_set(&mux_opts, "write_id3v1", "0", 0);
  err = avformat_write_header(fmt.get(), &mux_opts);
  av_dict_free(&mux_opts);
  if (err < 0) return Status::Internal("mp3 header: " + AvError(err));

  std::unique_ptr<AVPacket, PacketDeleter> pkt(av_packet_alloc());
  auto drain = [&]() -> Status {
    while (true) {
      int r = avcodec_receive_packet(enc.get(), pkt.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return Status::Ok();
      if (r < 0) return Status::Internal("encode: " + AvError(r));
      av_packet_rescale_ts(pkt.get(), enc->time_base, stream->time_base);
      pkt->stream_index = stream->index;
      r = av_interleaved_write_frame(fmt.get(), pkt.get());
      if (r < 0) return Status::Internal("mux: " + AvError(r));
    }
  };

  std::unique_ptr<AVFrame, FrameDeleter> frame(av_frame_alloc());
  const int frame_size = enc->frame_size > 0 ? enc->frame_size : 1152;
  const int total = pcm.frames();
  for (int pos = 0; pos < total; pos += frame_size) {
    const int n = std::min(frame_size, total - pos);
    av_frame_unref(frame.get());
    frame->nb_samples = n;
    frame->format = enc->sample_fmt;
    frame->sample_rate = kSampleRate;
    av_channel_layout_copy(&frame->ch_layout, &enc->ch_layout);
    if ((err = av_frame_get_buffer(frame.get(), 0)) < 0) {
      return Status::Internal("frame buffer: " + AvError(err));
    }
    std::memcpy(frame->data[0], pcm.left.data() + pos, n * sizeof(float));
    std::memcpy(frame->data[1], pcm.right.data() + pos, n * sizeof(float));
    frame->pts = pos;
    if ((err = avcodec_send_frame(enc.get(), frame.get())) < 0) {
      return Status::Internal("send frame: " + AvError(err));
    }
    CRATEDIG_RETURN_IF_ERROR(drain());
  }
  if ((err = avcodec_send_frame(enc.get(), nullptr)) < 0) {
    return Status::Internal("flush: " + AvError(err));
  }
  CRATEDIG_RETURN_IF_ERROR(drain());
  if ((err = av_write_trailer(fmt.get())) < 0) {
    return Status::Internal("mp3 trailer: " + AvError(err));
  }
  avio_flush(fmt->pb);
  return std::move(sink.data);
}

}  // namespace cratedig::samplestore
