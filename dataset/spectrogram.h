// ComputeSpectrogram: mono samples -> an 8-bit grey spectrogram image.
//
// Geometry (see config/dataset_settings.h): one column per 1/columns_per_second
// of audio, cols = floor(samples * columns_per_second / sample_rate); column c
// is the Hann-windowed FFT (FFTW3, float, real-to-complex) of fft_size samples
// centred on the middle of its time slot, zero-padded at the ends. Rows run
// from the highest frequency (row 0, top) to 0 Hz (row height-1, bottom).
// Power is normalised so a full-scale sine at a bin centre reads 0 dB; pixel
// = 255 * (dB + dynamic_range_db) / dynamic_range_db, clamped to 0..255.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "config/dataset_settings.h"

namespace cratedig::dataset {

// Returns a CV_8UC1 image with s.height rows (0 columns when the audio is
// shorter than one column). Thread-safe: each thread plans its FFT once (the
// planning itself is serialised, FFTW's planner is not thread-safe) and
// reuses the plan for every later call.
// REQUIRES: s passed Validate().
cv::Mat ComputeSpectrogram(const std::vector<float>& samples,
                           const config::DatasetSettings& s);

// The frequency in Hz at the centre of image row `row` (0 = top) for the
// linear scale, or of the mel band's peak on the mel scale. For tests,
// pictures and axis labels.
double RowCenterHz(int row, const config::DatasetSettings& s);

}  // namespace cratedig::dataset
