// DatasetSettings: how previews become spectrogram tiles
// (configs/dataset.toml).
//
// The defaults reproduce the original work's geometry: mono audio at
// 44.1 kHz, 50 spectrogram columns per second, a linear frequency axis from
// 0 Hz (bottom row) to Nyquist (top row) in 256 rows, magnitude in dB over a
// 120 dB range mapped to 8-bit grey (loud = white, like sox's `spectrogram
// -m -r`), cut into 256x256 tiles (5.12 s each), leftover columns dropped,
// and a 65/25/10 train/val/holdout split by whole track per parent genre.
//
// A dataset version is Hash(): the settings that change what the dataset
// holds (pixels of a tile, how many tiles a track gives, which split a track
// lands in). Thread counts, PNG compression, fsync, the optional full
// spectrogram and the per-genre track limit are not part of it: changing them
// keeps the same dataset (raising the limit grows it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/site_profile.h"
#include "config/toml_reader.h"

namespace cratedig::config {

struct DatasetSettings {
  // ---- audio (in the hash) ----
  // Decoded mono sample rate in Hz. Default: 44100 (Nyquist 22050 Hz).
  int sample_rate = 44100;
  // Longest audio decoded per file, in seconds; the rest is ignored so a
  // huge file cannot exhaust memory. Default: 600.
  double max_seconds = 600.0;

  // ---- spectrogram (in the hash) ----
  // Spectrogram columns per second of audio. Default: 50 (20 ms per column).
  double columns_per_second = 50.0;
  // Rows of the spectrogram (and height of a tile). Default: 256.
  int height = 256;
  // FFT (and Hann window) length in samples. Linear scale: REQUIRES
  // fft_size >= 2 * height; with fft_size == 2 * height row r is FFT bin r
  // (the Nyquist bin is dropped), otherwise each row sums a band of bins.
  // Default: 512 (FFTW is fastest on powers of two).
  int fft_size = 512;
  // "linear" (0..Nyquist, equal Hz per row) or "mel" (HTK mel scale from
  // mel_fmin to mel_fmax, triangular filters). Default: "linear".
  std::string frequency_scale = "linear";
  double mel_fmin = 0.0;  // Hz. Default: 0.
  double mel_fmax = 0.0;  // Hz; 0 means Nyquist. Default: 0.
  // dB below full scale that maps to black; 0 dBFS (a full-scale sine) maps
  // to white. Default: 120.
  double dynamic_range_db = 120.0;

  // ---- tiles (in the hash) ----
  // Tile width in columns; tiles are height x tile_width. Default: 256.
  int tile_width = 256;

  // ---- splits (in the hash) ----
  // Fractions of each parent genre's tracks; must sum to 1.
  double train_fraction = 0.65;
  double val_fraction = 0.25;
  double holdout_fraction = 0.10;
  // Seeds the order in which new tracks are dealt to splits. Default: 1.
  int64_t seed = 1;

  // ---- labels (in the hash unless they are the default nine, so the
  // versions built before this setting existed keep their hash) ----
  // The parent genres, in label order: the classes of a model trained on
  // this dataset and the rows of its evaluation. `dataset build
  // --site-config` and the demo take them from the site profile's
  // parent_genres; tracks of any other parent genre are left out.
  // Default: config::DefaultParentGenres() (the original nine).
  std::vector<std::string> parent_genres = DefaultParentGenres();

  // ---- not in the hash ----
  // At most this many tracks per parent genre (picked by a seeded hash of
  // the track's store id; tracks already in the dataset always stay).
  // Default: 0, no limit.
  int tracks_per_genre = 0;
  // Worker threads over tracks. Default: 0, all cores.
  int threads = 0;
  // Also write the whole spectrogram of each track as one PNG beside its
  // tiles ("<bucket>/<track>_full.png"). Default: false.
  bool write_full_spectrogram = false;
  // zlib level for PNGs (0-9); changes file size and speed, not pixels.
  // Default: 1.
  int png_compression = 1;
  // Sync tiles to disk (one syncfs() per batch of finished tracks) before
  // their database rows are committed, so a crash never leaves a row naming
  // a file that is not on disk. Default: true.
  bool fsync = true;

  void Read(TomlReader& r);
  void Validate(TomlReader& r);
  // Canonical TOML of every field (what `dataset build` stores and prints).
  std::string ToToml() const;
  // Canonical TOML of the fields in the hash only.
  std::string HashedToml() const;
  // 16 lower-case hex digits of SHA-256(HashedToml()): the dataset version.
  std::string Hash() const;

  // Derived geometry.
  bool mel() const { return frequency_scale == "mel"; }
  double hop_samples() const { return sample_rate / columns_per_second; }
  double tile_seconds() const { return tile_width / columns_per_second; }
};

}  // namespace cratedig::config
