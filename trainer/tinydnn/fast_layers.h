// Our own tiny-dnn layer for the seed network's blocks, written against
// tiny-dnn's layer API (forward_propagation / back_propagation), so tiny-dnn
// keeps the network, the training loop, the optimizers and serialization.
// INTERNAL to trainer/tinydnn/ (includes tiny-dnn).
//
// Why one fused layer per block instead of tiny-dnn's convolutional, ELU and
// max-pooling layers (measured 8-12 tiles/s training on 2 cores):
// - tiny-dnn convolves by direct loops (its AVX kernels cover 5x5 only);
//   a 2x2 stride-2 convolution is exactly a matrix product once each 2x2
//   patch is laid out as a column (space-to-depth), so one SGEMM through
//   OpenBLAS does it, and two more do its gradients;
// - tiny-dnn keeps a weight gradient per sample (memory grows with the
//   batch; 4.2 GB at batch 128): this layer keeps one summed slot;
// - the convolution's output, the largest tensor of the network (64 x 128 x
//   128 per 256x256 tile), never becomes a tiny-dnn edge: the layer pools
//   it at once, in chunks of samples, and keeps only the 2-bit argmax.
// ELU is monotonic, so max-pool then ELU equals ELU then max-pool exactly
// (the paper's order), on 4x fewer values.
//
// Threads: each layer call splits the batch into chunks of samples and runs
// them on SetWorkers() threads, each chunk start to finish (patches, GEMM,
// pool) with single-threaded OpenBLAS calls: measured, OpenBLAS's own
// threads spent ~20% of a training step spinning in sched_yield between
// the many short GEMMs on a 2-core machine.
#pragma once

#include <tiny_dnn/tiny_dnn.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cratedig::trainer::tdnn {

// Threads every ConvPoolEluLayer call uses (>= 1; default: all cores), and
// single-threaded OpenBLAS. Process-wide.
void SetWorkers(int workers);
int Workers();

// conv(kernel 2, stride 2, bias) -> max-pool 2 -> ELU(alpha 1).
// Input in_c x in_h x in_w (tiny-dnn's channel-major order), output
// out_c x ((in_h/2)/2) x ((in_w/2)/2); an odd last row or column is
// dropped by the stride and by the pool, as in libtorch.
// Weights: out_c x in_c x 2 x 2 (the standard conv layout), bias: out_c.
class ConvPoolEluLayer : public tiny_dnn::layer {
 public:
  // input_gradient: false for the network's first layer, whose input
  // gradient nobody reads (saves one GEMM per step).
  ConvPoolEluLayer(int in_w, int in_h, int in_c, int out_c,
                   bool input_gradient = true);

  std::vector<tiny_dnn::shape3d> in_shape() const override;
  std::vector<tiny_dnn::shape3d> out_shape() const override;
  std::string layer_type() const override {
    return "cratedig-conv2s2-pool-elu";
  }
  tiny_dnn::serial_size_t fan_in_size() const override { return 4 * in_c_; }
  tiny_dnn::serial_size_t fan_out_size() const override { return 4 * out_c_; }

  void forward_propagation(const std::vector<tiny_dnn::tensor_t*>& in_data,
                           std::vector<tiny_dnn::tensor_t*>& out_data) override;
  void back_propagation(const std::vector<tiny_dnn::tensor_t*>& in_data,
                        const std::vector<tiny_dnn::tensor_t*>& out_data,
                        std::vector<tiny_dnn::tensor_t*>& out_grad,
                        std::vector<tiny_dnn::tensor_t*>& in_grad) override;
  // Data edges get a slot per sample as usual; the weight and bias
  // gradients keep ONE slot, the sum over the batch (tiny-dnn's
  // update_weight sums the slots and divides by the batch size, so the
  // result is the same).
  void set_sample_count(tiny_dnn::serial_size_t sample_count) override;

 private:
  // Samples per GEMM for a batch of n: the conv output scratch stays
  // ~16 MB, and every worker gets a chunk.
  int ChunkSamples(int n) const;
  // Patches of samples [s0, s1) into p's columns (k = c*4 + i*2 + j).
  void SpaceToDepth(const tiny_dnn::tensor_t& in, int s0, int s1, float* p);
  void ForwardChunk(const tiny_dnn::tensor_t& in, const tiny_dnn::vec_t& w,
                    const tiny_dnn::vec_t& b, tiny_dnn::tensor_t& out, int s0,
                    int s1, float* y);
  void BackwardChunk(const tiny_dnn::vec_t& w, const tiny_dnn::tensor_t& out,
                     const tiny_dnn::tensor_t& dout, tiny_dnn::tensor_t& din,
                     int s0, int s1, float* dy, float* dp, float* dw,
                     double* db);

  int in_w_, in_h_, in_c_, out_c_;
  int conv_w_, conv_h_;  // conv output
  int pool_w_, pool_h_;  // layer output
  bool input_gradient_;
  std::vector<float> patches_;   // K x (n * conv_h * conv_w), chunk-major
  std::vector<uint8_t> argmax_;  // per output value: 2x2 window position
  // Per worker: conv output (or its gradient), patch gradient, weight and
  // bias gradient partial sums.
  std::vector<std::vector<float>> y_, dp_, dw_;
  std::vector<std::vector<double>> db_;
};

}  // namespace cratedig::trainer::tdnn
