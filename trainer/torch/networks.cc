#include "trainer/torch/networks.h"

namespace cratedig::trainer {

namespace {

namespace nn = torch::nn;

// Glorot-normal weights and zero biases, as Keras' glorot init in the
// original.
void GlorotInit(nn::Module& m) {
  for (auto& p : m.named_parameters(/*recurse=*/false)) {
    if (p.key() == "weight") {
      nn::init::xavier_normal_(p.value());
    } else if (p.key() == "bias") {
      nn::init::zeros_(p.value());
    }
  }
}

// The original network: four blocks of conv(k2, s2) + ELU + max-pool 2 with
// 64/128/256/512 filters, flatten, dense 128, ELU, dropout 0.5, dense 9.
class SeedNet : public NetImpl {
 public:
  SeedNet(int classes, int flat_dim) {
    const int filters[4] = {64, 128, 256, 512};
    int in = 1;
    for (int i = 0; i < 4; ++i) {
      convs_[i] = register_module(
          "conv" + std::to_string(i + 1),
          nn::Conv2d(nn::Conv2dOptions(in, filters[i], 2).stride(2)));
      GlorotInit(*convs_[i]);
      in = filters[i];
    }
    fc1_ = register_module("fc1", nn::Linear(flat_dim, kEmbeddingDim));
    fc2_ = register_module("fc2", nn::Linear(kEmbeddingDim, classes));
    GlorotInit(*fc1_);
    GlorotInit(*fc2_);
  }

  std::pair<torch::Tensor, torch::Tensor> Forward(
      const torch::Tensor& input) override {
    torch::Tensor x = Prepare(input);
    for (auto& conv : convs_) {
      // ELU is monotonic, so max-pool then ELU equals ELU then max-pool
      // exactly; this order applies ELU (and its gradient) to 4x fewer
      // values, which matters: the first block's output is memory-bound.
      x = torch::elu(torch::max_pool2d(Conv2x2Stride2(conv, x), 2));
    }
    torch::Tensor emb = fc1_->forward(x.flatten(1));
    torch::Tensor h = torch::dropout(torch::elu(emb), 0.5, is_training());
    return {fc2_->forward(h), emb};
  }

  // Side after one block (conv k2 s2, pool 2); 0 when too small.
  static int Shrink(int side) { return (side / 2) / 2; }

  // conv(kernel 2, stride 2) computed as what it is: a 1x1 convolution over
  // the space-to-depth rearrangement of x (each 2x2 patch's 4*C values
  // become one pixel's channels). Same weights, same sums, so the same
  // result up to float rounding; but oneDNN's 1x1 kernels are far better
  // tuned than its 2x2/stride-2 ones, backward above all (measured: a
  // training step 1.35x and inference 1.2x faster, bench/trainer). The
  // parameter keeps the standard (F, C, 2, 2) shape, so checkpoints are
  // ordinary Conv2d weights. Correct in any layout; fastest with x and the
  // weight channels-last (the rearrangement is then one copy and the weight
  // view is free).
  static torch::Tensor Conv2x2Stride2(const nn::Conv2d& conv,
                                      const torch::Tensor& x) {
    const int64_t n = x.size(0), c = x.size(1);
    const int64_t h = x.size(2) / 2, w = x.size(3) / 2;
    // An odd last row or column is dropped, as the stride does. Only then:
    // a narrow() that keeps everything still puts a SliceBackward in the
    // graph, whose gradient comes back NCHW and sends the previous block's
    // max-pool backward down its slow mixed-format path (measured 1.7x
    // slower steps).
    torch::Tensor even = x;
    if (x.size(2) != 2 * h) even = even.narrow(2, 0, 2 * h);
    if (x.size(3) != 2 * w) even = even.narrow(3, 0, 2 * w);
    torch::Tensor nhwc = even.permute({0, 2, 3, 1});
    torch::Tensor patches = nhwc.reshape({n, h, 2, w, 2, c})
                                .permute({0, 1, 3, 2, 4, 5})  // n h w i j c
                                .reshape({n, h, w, 4 * c})
                                .permute({0, 3, 1, 2});  // NCHW, NHWC strides
    const torch::Tensor& k = conv->weight;               // f c i j
    torch::Tensor k1 =
        k.permute({0, 2, 3, 1}).reshape({k.size(0), 4 * c, 1, 1});
    return torch::conv2d(patches, k1, conv->bias);
  }

 private:
  nn::Conv2d convs_[4]{nullptr, nullptr, nullptr, nullptr};
  nn::Linear fc1_{nullptr}, fc2_{nullptr};
};

// A stronger network: 3x3 convolutions with batch norm and ReLU, max-pool
// between stages, global average pooling, then the same dense-128 embedding
// layer and head as the seed network (dropout 0.3).
class BnNet : public NetImpl {
 public:
  explicit BnNet(int classes) {
    const int widths[5] = {32, 64, 128, 256, 256};
    int in = 1;
    for (int i = 0; i < 5; ++i) {
      auto opts = nn::Conv2dOptions(in, widths[i], 3).padding(1).bias(false);
      if (i == 0) opts.stride(2);  // 256 -> 128 before the first pool
      convs_.push_back(
          register_module("conv" + std::to_string(i + 1), nn::Conv2d(opts)));
      bns_.push_back(register_module("bn" + std::to_string(i + 1),
                                     nn::BatchNorm2d(widths[i])));
      nn::init::kaiming_normal_(convs_.back()->weight, 0.0, torch::kFanOut,
                                torch::kReLU);
      in = widths[i];
    }
    fc1_ = register_module("fc1", nn::Linear(in, kEmbeddingDim));
    fc2_ = register_module("fc2", nn::Linear(kEmbeddingDim, classes));
    GlorotInit(*fc1_);
    GlorotInit(*fc2_);
  }

  std::pair<torch::Tensor, torch::Tensor> Forward(
      const torch::Tensor& input) override {
    torch::Tensor x =
        Prepare(input).contiguous(torch::MemoryFormat::ChannelsLast);
    for (size_t i = 0; i < convs_.size(); ++i) {
      x = torch::relu(bns_[i]->forward(convs_[i]->forward(x)));
      if (i + 1 < convs_.size()) x = torch::max_pool2d(x, 2);
    }
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    torch::Tensor emb = fc1_->forward(x);
    torch::Tensor h = torch::dropout(torch::elu(emb), 0.3, is_training());
    return {fc2_->forward(h), emb};
  }

  // Smallest side that survives the stride-2 stem and four pools.
  static constexpr int kMinSide = 32;

 private:
  std::vector<nn::Conv2d> convs_;
  std::vector<nn::BatchNorm2d> bns_;
  nn::Linear fc1_{nullptr}, fc2_{nullptr};
};

}  // namespace

void ToChannelsLast(NetImpl& net) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.parameters()) {
    if (p.dim() == 4) {
      // Not p.contiguous(ChannelsLast): with one input channel a weight is
      // already "contiguous" in both formats, so that returns it unchanged,
      // with NCHW strides, and oneDNN then picks NCHW for the whole first
      // block (measured 2.1x slower training). A copy into a channels-last
      // tensor gets the strides that oneDNN reads the format from.
      torch::Tensor q = torch::empty_like(p, torch::MemoryFormat::ChannelsLast);
      q.copy_(p);
      p.set_data(q);
    }
  }
}

int RecalibrateBatchNorm(
    NetImpl& net, const std::function<std::optional<torch::Tensor>()>& next) {
  std::vector<std::pair<nn::BatchNorm2dImpl*, c10::optional<double>>> bns;
  for (const auto& m : net.modules(/*include_self=*/false)) {
    if (auto* bn = dynamic_cast<nn::BatchNorm2dImpl*>(m.get())) {
      bns.emplace_back(bn, bn->options.momentum());
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);  // a cumulative average
    }
  }
  if (bns.empty()) return 0;
  const bool was_training = net.is_training();
  net.train();
  {
    torch::NoGradGuard no_grad;
    while (std::optional<torch::Tensor> x = next()) net.Forward(*x);
  }
  for (auto& [bn, momentum] : bns) bn->options.momentum(momentum);
  net.train(was_training);
  return static_cast<int>(bns.size());
}

// The network without input normalisation.
static Result<std::shared_ptr<NetImpl>> MakeBareNet(const std::string& name,
                                                    int classes, int height,
                                                    int width) {
  if (classes < 2) return Status::InvalidArgument("need at least 2 classes");
  if (name == "seed") {
    int h = height, w = width;
    for (int i = 0; i < 4; ++i) {
      h = SeedNet::Shrink(h);
      w = SeedNet::Shrink(w);
    }
    if (h < 1 || w < 1) {
      return Status::InvalidArgument(
          "the seed network needs tiles of at least 256x256, got " +
          std::to_string(height) + "x" + std::to_string(width));
    }
    auto net = std::make_shared<SeedNet>(classes, 512 * h * w);
    ToChannelsLast(*net);
    return std::shared_ptr<NetImpl>(net);
  }
  if (name == "bn") {
    if (height < BnNet::kMinSide || width < BnNet::kMinSide) {
      return Status::InvalidArgument("the bn network needs tiles of at least " +
                                     std::to_string(BnNet::kMinSide) + "x" +
                                     std::to_string(BnNet::kMinSide));
    }
    auto net = std::make_shared<BnNet>(classes);
    ToChannelsLast(*net);
    return std::shared_ptr<NetImpl>(net);
  }
  return Status::InvalidArgument("unknown network \"" + name +
                                 "\" (expected seed or bn)");
}

Result<std::shared_ptr<NetImpl>> MakeNet(const std::string& name, int classes,
                                         int height, int width,
                                         bool per_frequency_norm) {
  CRATEDIG_ASSIGN_OR_RETURN(auto net,
                            MakeBareNet(name, classes, height, width));
  if (per_frequency_norm) net->EnableInputNorm(height);
  return net;
}

void NetImpl::EnableInputNorm(int height) {
  in_mean_ = register_buffer("in_mean", torch::zeros({1, 1, height, 1}));
  in_scale_ = register_buffer("in_scale", torch::ones({1, 1, height, 1}));
}

void NetImpl::SetInputNorm(const std::vector<float>& mean,
                           const std::vector<float>& scale) {
  torch::NoGradGuard no_grad;
  const int64_t h = in_mean_.size(2);
  in_mean_.copy_(torch::tensor(mean).reshape({1, 1, h, 1}));
  in_scale_.copy_(torch::tensor(scale).reshape({1, 1, h, 1}));
}

torch::Tensor NetImpl::Prepare(const torch::Tensor& x) const {
  if (!in_mean_.defined()) return x;
  return (x - in_mean_) * in_scale_;
}

}  // namespace cratedig::trainer
