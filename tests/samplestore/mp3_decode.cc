#include "tests/samplestore/mp3_decode.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cmath>
#include <cstring>

namespace cratedig::samplestore::testing_util {

namespace {
struct Source {
  const std::string* data;
  size_t pos = 0;
};
int Read(void* opaque, uint8_t* buf, int size) {
  auto* s = static_cast<Source*>(opaque);
  const size_t n =
      std::min(static_cast<size_t>(size), s->data->size() - s->pos);
  if (n == 0) return AVERROR_EOF;
  std::memcpy(buf, s->data->data() + s->pos, n);
  s->pos += n;
  return static_cast<int>(n);
}
int64_t Seek(void* opaque, int64_t off, int whence) {
  auto* s = static_cast<Source*>(opaque);
  if (whence == AVSEEK_SIZE) return static_cast<int64_t>(s->data->size());
  if (whence == SEEK_SET)
    s->pos = off;
  else if (whence == SEEK_CUR)
    s->pos += off;
  else if (whence == SEEK_END)
    s->pos = s->data->size() + off;
  else
    return -1;
  return static_cast<int64_t>(s->pos);
}
}  // namespace

Decoded DecodeMp3(const std::string& bytes) {
  av_log_set_level(AV_LOG_QUIET);
  Decoded d;
  Source src{&bytes};
  auto* buf = static_cast<unsigned char*>(av_malloc(1 << 15));
  AVIOContext* io =
      avio_alloc_context(buf, 1 << 15, 0, &src, &Read, nullptr, &Seek);
  AVFormatContext* fmt = avformat_alloc_context();
  fmt->pb = io;
  const AVInputFormat* mp3 = av_find_input_format("mp3");
  if (avformat_open_input(&fmt, nullptr, mp3, nullptr) < 0) {
    d.error = "open";
    av_freep(&io->buffer);
    avio_context_free(&io);
    return d;
  }
  AVCodecContext* dec = nullptr;
  if (avformat_find_stream_info(fmt, nullptr) >= 0 && fmt->nb_streams > 0) {
    const AVCodec* c =
        avcodec_find_decoder(fmt->streams[0]->codecpar->codec_id);
    dec = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(dec, fmt->streams[0]->codecpar);
    if (avcodec_open2(dec, c, nullptr) >= 0) {
      AVPacket* pkt = av_packet_alloc();
      AVFrame* fr = av_frame_alloc();
      auto take = [&] {
        while (avcodec_receive_frame(dec, fr) >= 0) {
          d.frames += fr->nb_samples;
          d.sample_rate = fr->sample_rate;
          d.channels = fr->ch_layout.nb_channels;
          if (fr->format == AV_SAMPLE_FMT_FLTP) {
            for (int ch = 0; ch < d.channels; ++ch) {
              const float* p = reinterpret_cast<const float*>(fr->data[ch]);
              for (int i = 0; i < fr->nb_samples; ++i) {
                d.peak = std::max(d.peak, static_cast<double>(std::fabs(p[i])));
              }
            }
          }
        }
      };
      while (av_read_frame(fmt, pkt) >= 0) {
        if (avcodec_send_packet(dec, pkt) >= 0) take();
        av_packet_unref(pkt);
      }
      avcodec_send_packet(dec, nullptr);
      take();
      av_frame_free(&fr);
      av_packet_free(&pkt);
      d.ok = d.frames > 0;
      if (!d.ok) d.error = "no audio";
    } else {
      d.error = "codec";
    }
  } else {
    d.error = "no stream";
  }
  avcodec_free_context(&dec);
  avformat_close_input(&fmt);
  av_freep(&io->buffer);
  avio_context_free(&io);
  return d;
}

}  // namespace cratedig::samplestore::testing_util
