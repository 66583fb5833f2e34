// Decoding, spectrogram geometry and tiles, on WAV files written by hand.
#include "dataset/spectrogram.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <thread>

#include "dataset/audio_decoder.h"
#include "dataset/audio_tiles.h"
#include "dataset/picture.h"
#include "tests/dataset/test_audio.h"

namespace cratedig::dataset {
namespace {

using testing::kRate;
using testing::TempDir;
using testing::Tone;
using testing::WriteWav;

// The brightest row of column c.
int PeakRow(const cv::Mat& img, int c) {
  int best = 0;
  for (int r = 1; r < img.rows; ++r) {
    if (img.at<uint8_t>(r, c) > img.at<uint8_t>(best, c)) best = r;
  }
  return best;
}

std::vector<float> DecodeWav(const TempDir& dir, const std::vector<float>& x,
                             int channels = 1) {
  const std::string path = dir / "clip.wav";
  WriteWav(path, x, channels);
  auto samples = DecodeAudio(path, kRate);
  EXPECT_TRUE(samples.ok()) << samples.status().ToString();
  return samples.ok() ? *samples : std::vector<float>{};
}

TEST(SpectrogramTest, PureToneLandsOnItsRowFromTheBottom) {
  TempDir dir;
  config::DatasetSettings s;
  // Bin 40 of a 512-point FFT at 44.1 kHz: 3445.3 Hz. Row 0 is the top, so
  // bin k (from 0 Hz at the bottom) is row 255 - k.
  const double hz = 40.0 * kRate / 512;
  const std::vector<float> x = DecodeWav(dir, Tone(hz, 3.0, 0.5));
  ASSERT_EQ(x.size(), static_cast<size_t>(3 * kRate));
  cv::Mat img = ComputeSpectrogram(x, s);
  ASSERT_EQ(img.type(), CV_8UC1);
  ASSERT_EQ(img.rows, 256);
  ASSERT_EQ(img.cols, 150);  // 3 s at 50 columns per second
  for (int c = 1; c < img.cols - 1; ++c) {
    ASSERT_EQ(PeakRow(img, c), 255 - 40) << "column " << c;
    // Amplitude 0.5 is -6 dBFS: 255 * 114 / 120 = 242.
    EXPECT_NEAR(img.at<uint8_t>(255 - 40, c), 242, 2);
  }
  EXPECT_NEAR(RowCenterHz(255 - 40, s), hz, 1e-6);
  // Far from the tone the picture is dark (Hann side lobes fall fast).
  EXPECT_LT(img.at<uint8_t>(10, 75), 40);
  EXPECT_LT(img.at<uint8_t>(255 - 120, 75), 40);
}

TEST(SpectrogramTest, ToneAtOneKilohertzOnTheLinearAxis) {
  config::DatasetSettings s;
  cv::Mat img = ComputeSpectrogram(Tone(1000.0, 2.0), s);
  // 1000 Hz / (44100 / 512) = bin 11.6: between rows 255-11 and 255-12.
  const int r = PeakRow(img, 50);
  EXPECT_TRUE(r == 255 - 12 || r == 255 - 11) << r;
}

TEST(SpectrogramTest, SineSweepRisesAcrossColumnsAsExpected) {
  TempDir dir;
  config::DatasetSettings s;
  const double f0 = 500, f1 = 20000, secs = 8;
  const std::vector<float> x = DecodeWav(dir, testing::Sweep(f0, f1, secs));
  cv::Mat img = ComputeSpectrogram(x, s);
  ASSERT_EQ(img.cols, 400);
  const double bin_hz = static_cast<double>(kRate) / s.fft_size;
  int previous = 256;
  for (int c = 2; c < img.cols - 2; ++c) {
    const double t = (c + 0.5) / s.columns_per_second;  // column centre
    const double f = f0 + (f1 - f0) * t / secs;
    const int expected = 255 - static_cast<int>(std::lround(f / bin_hz));
    const int got = PeakRow(img, c);
    ASSERT_NEAR(got, expected, 1) << "column " << c << " at " << f << " Hz";
    ASSERT_LE(got, previous) << "the sweep must only rise";
    previous = got;
  }
  EXPECT_LT(previous, 255 - 200);  // it reached the top part of the picture
}

TEST(SpectrogramTest, MelScalePutsAToneOnItsBand) {
  config::DatasetSettings s;
  s.frequency_scale = "mel";
  s.fft_size = 2048;
  cv::Mat img = ComputeSpectrogram(Tone(1000.0, 2.0), s);
  const int r = PeakRow(img, 50);
  EXPECT_NEAR(RowCenterHz(r, s), 1000.0, 60.0);
  // Mel rows are spaced more finely at low frequencies than linear ones, so
  // 1 kHz sits much higher up than on the linear axis (row ~244).
  EXPECT_LT(r, 200);
  // Every row of the mel picture sees the tone's band or is dark: no row
  // is left without FFT bins (low bands narrower than a bin).
  config::DatasetSettings small = s;
  small.fft_size = 256;
  cv::Mat img2 = ComputeSpectrogram(Tone(100.0, 1.0), small);
  EXPECT_GT(img2.at<uint8_t>(PeakRow(img2, 25), 25), 200);
}

TEST(SpectrogramTest, SilenceIsBlackAndShortAudioHasNoColumns) {
  config::DatasetSettings s;
  cv::Mat img = ComputeSpectrogram(std::vector<float>(kRate, 0.0f), s);
  ASSERT_EQ(img.cols, 50);
  EXPECT_EQ(cv::countNonZero(img), 0);
  cv::Mat none = ComputeSpectrogram(std::vector<float>(100, 0.1f), s);
  EXPECT_EQ(none.cols, 0);
  EXPECT_EQ(none.rows, 256);
}

TEST(SpectrogramTest, SameResultOnManyThreads) {
  config::DatasetSettings s;
  const std::vector<float> x = testing::Noisy(6.0, 3);
  const cv::Mat want = ComputeSpectrogram(x, s);
  std::vector<cv::Mat> got(4);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&, i] { got[i] = ComputeSpectrogram(x, s); });
  }
  for (auto& t : ts) t.join();
  for (const cv::Mat& g : got) {
    ASSERT_EQ(g.size(), want.size());
    EXPECT_EQ(cv::norm(g, want, cv::NORM_INF), 0.0);
  }
}

TEST(AudioTilesTest, ThirtySecondClipGivesFiveTiles) {
  TempDir dir;
  config::DatasetSettings s;
  const std::string path = dir / "thirty.wav";
  WriteWav(path, testing::Noisy(30.0, 1));
  auto tiles = TilesForFile(path, s);
  ASSERT_TRUE(tiles.ok()) << tiles.status().ToString();
  // floor(30 * 50 / 256) = 5; the 220 leftover columns are dropped.
  ASSERT_EQ(tiles->size(), 5u);
  for (const cv::Mat& t : *tiles) {
    EXPECT_EQ(t.rows, 256);
    EXPECT_EQ(t.cols, 256);
    EXPECT_EQ(t.type(), CV_8UC1);
  }
}

TEST(AudioTilesTest, StereoIsMixedDownAndResampled) {
  TempDir dir;
  // Left: 2 kHz tone, right: silence. Mono keeps the tone (at -6 dB).
  std::vector<float> left = Tone(2000.0, 2.0, 0.8);
  std::vector<float> st(left.size() * 2, 0.0f);
  for (size_t i = 0; i < left.size(); ++i) st[2 * i] = left[i];
  const std::string path = dir / "stereo.wav";
  WriteWav(path, st, 2);
  auto x = DecodeAudio(path, 22050);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_NEAR(static_cast<double>(x->size()), 2.0 * 22050, 64);
  config::DatasetSettings s;
  s.sample_rate = 22050;
  cv::Mat img = ComputeSpectrogram(*x, s);
  // 22050 / 512 = 43.07 Hz per row: 2 kHz is bin 46.4.
  const int r = PeakRow(img, 50);
  EXPECT_NEAR(r, 255 - 46, 1);
}

TEST(DecodeAudioTest, BadFilesAreReportedNotFatal) {
  TempDir dir;
  const std::string empty = dir / "empty.mp3";
  std::ofstream(empty).close();
  auto a = DecodeAudio(empty, kRate);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(a.status().message().find("empty"), std::string::npos);

  const std::string junk = dir / "junk.mp3";
  std::ofstream(junk) << std::string(5000, '\x5a') << "not audio";
  auto b = DecodeAudio(junk, kRate);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kCorrupt) << b.status().ToString();

  auto c = DecodeAudio(dir / "missing.mp3", kRate);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);

  // A WAV header that promises data but holds none: zero-length audio.
  const std::string hollow = dir / "hollow.wav";
  WriteWav(hollow, {});
  auto d = DecodeAudio(hollow, kRate);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kCorrupt);

  const std::string shortf = dir / "short.wav";
  WriteWav(shortf, Tone(440, 3.0));
  config::DatasetSettings s;
  auto e = TilesForFile(shortf, s);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("too short: 3.00 s"), std::string::npos)
      << e.status().message();
}

// Issue 12: a damaged mp3 (garbage from 20% of the file on) was reported
// as "too short", and a directory given as the file as "no such file".
TEST(DecodeAudioTest, CorruptIsNotTooShortAndADirectoryIsNotMissing) {
  TempDir dir;
  std::string mp3;
  {
    std::ifstream in(std::string(CRATEDIG_SOURCE_DIR) +
                         "/tests/dataset/data/sine_10s_8kbps.mp3",
                     std::ios::binary);
    mp3.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(mp3.size(), 8000u);
  config::DatasetSettings s;
  ASSERT_TRUE(TilesForFile(dir / "x", s).status().code() ==
              StatusCode::kNotFound);
  {
    const std::string whole = dir / "whole.mp3";
    std::ofstream(whole, std::ios::binary) << mp3;
    auto t = TilesForFile(whole, s);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->size(), 1u);  // 10 s: one 5.12 s tile
  }
  std::mt19937 rng(7);
  std::string damaged = mp3;
  for (size_t i = damaged.size() / 5; i < damaged.size(); ++i) {
    damaged[i] = static_cast<char>(rng() & 0xff);
  }
  const std::string bad = dir / "damaged.mp3";
  std::ofstream(bad, std::ios::binary) << damaged;
  auto t = TilesForFile(bad, s);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(t.status().message().find("too short"), std::string::npos)
      << t.status().message();
  EXPECT_NE(t.status().message().find("corrupt or truncated audio: only"),
            std::string::npos)
      << t.status().message();
  // Cut short: its header still says 10 s, so it is truncated, not short
  // (a genuinely short file still says "too short": BadFilesAreReported...).
  const std::string cut = dir / "cut.mp3";
  std::ofstream(cut, std::ios::binary) << mp3.substr(0, mp3.size() / 5);
  auto c = TilesForFile(cut, s);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("corrupt or truncated audio: only"),
            std::string::npos)
      << c.status().message();

  auto d = DecodeAudio(dir.path().string(), kRate);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message().find("no such file"), std::string::npos)
      << d.status().message();
  EXPECT_NE(d.status().message().find("is a directory"), std::string::npos)
      << d.status().message();
}

TEST(PictureTest, ShowsTheWholeSpectrogramAndEveryTile) {
  TempDir dir;
  const std::string path = dir / "pic.wav";
  WriteWav(path, testing::Sweep(200, 15000, 16.0));
  config::DatasetSettings s;
  auto pic = RenderSpectrogramAndTiles(path, s, PictureOptions{2, 8, "x"});
  ASSERT_TRUE(pic.ok()) << pic.status().ToString();
  EXPECT_EQ(pic->type(), CV_8UC1);
  EXPECT_EQ(pic->cols, 2 * 256 + 3 * 8);
  // 16 s -> 3 tiles -> 2 rows of tiles under the whole spectrogram.
  EXPECT_GT(pic->rows, 3 * 256);
  auto tiles = TilesForFile(path, s);
  ASSERT_TRUE(tiles.ok());
  ASSERT_EQ(tiles->size(), 3u);
}

TEST(DecodeAudioTest, MaxSecondsCapsTheOutput) {
  TempDir dir;
  const std::string path = dir / "long.wav";
  WriteWav(path, Tone(440, 4.0));
  auto x = DecodeAudio(path, kRate, DecodeOptions{1.5});
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->size(), static_cast<size_t>(1.5 * kRate));
}

}  // namespace
}  // namespace cratedig::dataset
