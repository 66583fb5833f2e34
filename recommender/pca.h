// Principal component projection, for the 2-D map of all tracks.
#pragma once

#include <cstddef>
#include <vector>

namespace cratedig::recommender {

// Projects n rows of dim floats onto their first `components` principal
// axes (covariance eigenvectors by power iteration with deflation; signs
// fixed so the largest-magnitude loading is positive, so the map does not
// flip between runs). Returns n x components values, row-major. Rows fewer
// than 2 or zero variance give zeros.
std::vector<float> PcaProject(const float* data, size_t n, int dim,
                              int components = 2);

}  // namespace cratedig::recommender
