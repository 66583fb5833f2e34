#include "trainer/tinydnn/seed_net.h"

#include <string>

#include "trainer/backend.h"
#include "trainer/tinydnn/fast_layers.h"

namespace cratedig::trainer::tdnn {

Status BuildSeedNet(Network& net, int classes, int height, int width,
                    bool fast) {
  using namespace tiny_dnn;
  int h = height, w = width;
  for (int i = 0; i < 4; ++i) {
    h = h / 2 / 2;
    w = w / 2 / 2;
  }
  if (h < 1 || w < 1) {
    return Status::InvalidArgument(
        "the seed network needs tiles of at least 256x256, got " +
        std::to_string(height) + "x" + std::to_string(width));
  }
  const int filters[4] = {64, 128, 256, 512};
  h = height;
  w = width;
  int c = 1;
  for (int i = 0; i < 4; ++i) {
    if (fast) {
      net << ConvPoolEluLayer(w, h, c, filters[i], /*input_gradient=*/i > 0);
    } else {
      // tiny-dnn's own layers, in the paper's order.
      net << convolutional_layer<activation::elu>(w, h, 2, c, filters[i],
                                                  padding::valid, true, 2, 2)
          << max_pooling_layer<activation::identity>(w / 2, h / 2, filters[i],
                                                     2);
    }
    w = w / 2 / 2;
    h = h / 2 / 2;
    c = filters[i];
  }
  net << fully_connected_layer<activation::identity>(c * h * w,
                                                     kEmbeddingDimension)
      << linear_layer<activation::elu>(kEmbeddingDimension)
      << dropout_layer(kEmbeddingDimension, 0.5)
      << fully_connected_layer<activation::softmax>(kEmbeddingDimension,
                                                    classes);
  return Status::Ok();
}

}  // namespace cratedig::trainer::tdnn
