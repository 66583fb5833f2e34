#include "config/dataset_settings.h"

#include <cmath>
#include <set>

#include "core/files.h"

namespace cratedig::config {

void DatasetSettings::Read(TomlReader& r) {
  r.Read("sample_rate", sample_rate);
  r.Read("max_seconds", max_seconds);
  r.Read("columns_per_second", columns_per_second);
  r.Read("height", height);
  r.Read("fft_size", fft_size);
  r.Read("frequency_scale", frequency_scale);
  r.Read("mel_fmin", mel_fmin);
  r.Read("mel_fmax", mel_fmax);
  r.Read("dynamic_range_db", dynamic_range_db);
  r.Read("tile_width", tile_width);
  r.ReadTable("splits", [&](TomlReader& s) {
    s.Read("train", train_fraction);
    s.Read("val", val_fraction);
    s.Read("holdout", holdout_fraction);
    s.Read("seed", seed);
  });
  r.Read("parent_genres", parent_genres);
  r.Read("tracks_per_genre", tracks_per_genre);
  r.Read("threads", threads);
  r.Read("write_full_spectrogram", write_full_spectrogram);
  r.Read("png_compression", png_compression);
  r.Read("fsync", fsync);
}

void DatasetSettings::Validate(TomlReader& r) {
  if (sample_rate < 1000 || sample_rate > 384000) {
    r.Fail("sample_rate", "expected an integer in 1000..384000");
  }
  if (!(max_seconds > 0)) r.Fail("max_seconds", "expected a number > 0");
  if (!(columns_per_second > 0) || columns_per_second > sample_rate) {
    r.Fail("columns_per_second", "expected a number in (0, sample_rate]");
  }
  if (height < 2 || height > 4096) {
    r.Fail("height", "expected an integer in 2..4096");
  }
  if (fft_size < 16 || fft_size > 65536) {
    r.Fail("fft_size", "expected an integer in 16..65536");
  }
  if (frequency_scale != "linear" && frequency_scale != "mel") {
    r.Fail("frequency_scale",
           "expected \"linear\" or \"mel\", got \"" + frequency_scale + "\"");
  }
  if (frequency_scale == "linear" && fft_size < 2 * height) {
    r.Fail("fft_size", "expected >= 2 * height for the linear scale (got " +
                           std::to_string(fft_size) + ", height " +
                           std::to_string(height) + ")");
  }
  const double nyquist = sample_rate / 2.0;
  const double fmax = mel_fmax > 0 ? mel_fmax : nyquist;
  if (mel_fmin < 0 || mel_fmin >= fmax) {
    r.Fail("mel_fmin", "expected 0 <= mel_fmin < mel_fmax");
  }
  if (mel_fmax < 0 || mel_fmax > nyquist) {
    r.Fail("mel_fmax", "expected 0 (Nyquist) or a frequency <= Nyquist");
  }
  if (!(dynamic_range_db > 0) || dynamic_range_db > 300) {
    r.Fail("dynamic_range_db", "expected a number in (0, 300]");
  }
  if (tile_width < 1 || tile_width > 65536) {
    r.Fail("tile_width", "expected an integer in 1..65536");
  }
  if (train_fraction < 0 || val_fraction < 0 || holdout_fraction < 0 ||
      std::fabs(train_fraction + val_fraction + holdout_fraction - 1.0) >
          1e-6) {
    r.Fail("splits", "expected train, val and holdout >= 0 that sum to 1");
  }
  if (tracks_per_genre < 0) r.Fail("tracks_per_genre", "expected >= 0");
  std::set<std::string> unique(parent_genres.begin(), parent_genres.end());
  if (parent_genres.size() < 2 || unique.size() != parent_genres.size() ||
      unique.count("")) {
    r.Fail("parent_genres", "at least two distinct, non-empty names");
  }
  if (threads < 0 || threads > 1024) {
    r.Fail("threads", "expected 0 (all cores) or 1..1024");
  }
  if (png_compression < 0 || png_compression > 9) {
    r.Fail("png_compression", "expected an integer in 0..9");
  }
}

namespace {

toml::table HashedTable(const DatasetSettings& s) {
  toml::table t;
  t.insert("sample_rate", s.sample_rate);
  t.insert("max_seconds", s.max_seconds);
  t.insert("columns_per_second", s.columns_per_second);
  t.insert("height", s.height);
  t.insert("fft_size", s.fft_size);
  t.insert("frequency_scale", s.frequency_scale);
  // The mel band edges only matter on the mel scale; leaving them out of a
  // linear dataset's hash keeps an unused knob from forking a dataset.
  if (s.mel()) {
    t.insert("mel_fmin", s.mel_fmin);
    t.insert("mel_fmax", s.mel_fmax);
  }
  t.insert("dynamic_range_db", s.dynamic_range_db);
  t.insert("tile_width", s.tile_width);
  t.insert("splits", toml::table{{"train", s.train_fraction},
                                 {"val", s.val_fraction},
                                 {"holdout", s.holdout_fraction},
                                 {"seed", s.seed}});
  if (s.parent_genres != DefaultParentGenres()) {
    toml::array genres;
    for (const auto& g : s.parent_genres) genres.push_back(g);
    t.insert("parent_genres", genres);
  }
  return t;
}

}  // namespace

std::string DatasetSettings::ToToml() const {
  toml::table t = HashedTable(*this);
  if (!mel()) {
    t.insert("mel_fmin", mel_fmin);
    t.insert("mel_fmax", mel_fmax);
  }
  if (!t.contains("parent_genres")) {
    toml::array genres;
    for (const auto& g : parent_genres) genres.push_back(g);
    t.insert("parent_genres", genres);
  }
  t.insert("tracks_per_genre", tracks_per_genre);
  t.insert("threads", threads);
  t.insert("write_full_spectrogram", write_full_spectrogram);
  t.insert("png_compression", png_compression);
  t.insert("fsync", fsync);
  return ToTomlString(t);
}

std::string DatasetSettings::HashedToml() const {
  return ToTomlString(HashedTable(*this));
}

std::string DatasetSettings::Hash() const {
  return Sha256Hex(HashedToml()).substr(0, 16);
}

}  // namespace cratedig::config
