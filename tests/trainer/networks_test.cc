// The networks themselves: the seed network's fast formulation computes the
// paper's network (values and gradients), the weights really are
// channels-last, and the bn network has the shapes the trainer relies on.
#include "trainer/torch/networks.h"

#include <gtest/gtest.h>

#include <map>

namespace cratedig::trainer {
namespace {

std::map<std::string, torch::Tensor> Params(NetImpl& net) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : net.named_parameters()) out[p.key()] = p.value();
  return out;
}

// The seed network written the plain way, from the same parameters:
// conv(k2, s2) -> ELU -> max-pool, NCHW, as the original paper's order.
std::pair<torch::Tensor, torch::Tensor> Reference(
    std::map<std::string, torch::Tensor>& p, const torch::Tensor& input) {
  torch::Tensor x = input;
  for (int i = 1; i <= 4; ++i) {
    const std::string c = "conv" + std::to_string(i);
    x = torch::conv2d(x, p[c + ".weight"].contiguous(), p[c + ".bias"],
                      /*stride=*/2);
    x = torch::max_pool2d(torch::elu(x), 2);
  }
  torch::Tensor emb =
      torch::linear(x.flatten(1), p["fc1.weight"], p["fc1.bias"]);
  return {torch::linear(torch::elu(emb), p["fc2.weight"], p["fc2.bias"]), emb};
}

class SeedNetTest : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(SeedNetTest, FastFormEqualsThePapersNetworkInValuesAndGradients) {
  const auto [h, w] = GetParam();
  torch::manual_seed(3);
  auto net = MakeNet("seed", 9, h, w);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  (*net)->eval();  // no dropout, so both forms see the same graph
  auto params = Params(**net);
  torch::Tensor x = torch::rand({3, 1, h, w});
  torch::Tensor y = torch::tensor({0, 4, 8}, torch::kInt64);

  auto [logits, emb] = (*net)->Forward(x);
  torch::nn::functional::cross_entropy(logits, y).backward();
  std::map<std::string, torch::Tensor> grads;
  for (auto& [name, p] : params) {
    ASSERT_TRUE(p.grad().defined()) << name;
    grads[name] = p.grad().clone();
    p.mutable_grad().zero_();
  }

  auto [ref_logits, ref_emb] = Reference(params, x);
  torch::nn::functional::cross_entropy(ref_logits, y).backward();

  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 9}));
  EXPECT_EQ(emb.sizes(), (std::vector<int64_t>{3, kEmbeddingDim}));
  EXPECT_TRUE(torch::allclose(logits, ref_logits, 1e-4, 1e-5))
      << (logits - ref_logits).abs().max().item<float>();
  EXPECT_TRUE(torch::allclose(emb, ref_emb, 1e-4, 1e-5))
      << (emb - ref_emb).abs().max().item<float>();
  for (auto& [name, p] : params) {
    EXPECT_TRUE(torch::allclose(grads[name], p.grad(), 1e-3, 1e-6))
        << name << ": " << (grads[name] - p.grad()).abs().max().item<float>();
  }
  // The gradients are not trivially zero (the comparison means something).
  EXPECT_GT(grads["conv1.weight"].abs().sum().item<float>(), 0.0f);
}

// 256x256 is the tile; 300x260 has odd sides after some blocks, which the
// stride drops and the fast form must drop the same way.
INSTANTIATE_TEST_SUITE_P(Sizes, SeedNetTest,
                         ::testing::Values(std::pair{256, 256},
                                           std::pair{300, 260}));

TEST(NetworksTest, WeightsAreReallyChannelsLastEvenWithOneInputChannel) {
  for (const char* name : {"seed", "bn"}) {
    auto net = MakeNet(name, 9, 256, 256);
    ASSERT_TRUE(net.ok());
    int four_d = 0;
    for (const auto& p : (*net)->named_parameters()) {
      if (p.value().dim() != 4) continue;
      ++four_d;
      // The channel stride is 1: what oneDNN reads the format from. A
      // 1-channel weight left with NCHW strides would pass
      // is_contiguous(ChannelsLast) and still be run as NCHW.
      EXPECT_EQ(p.value().stride(1), 1) << name << " " << p.key();
      EXPECT_EQ(p.value().suggest_memory_format(),
                torch::MemoryFormat::ChannelsLast)
          << name << " " << p.key();
    }
    EXPECT_GE(four_d, 4) << name;
  }
}

TEST(NetworksTest, BnNetworkGivesLogitsAndEmbeddingsAndLearnsABatch) {
  torch::manual_seed(5);
  auto net = MakeNet("bn", 9, 64, 96);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  torch::Tensor x = torch::rand({6, 1, 64, 96});
  torch::Tensor y = torch::tensor({0, 1, 2, 3, 4, 5}, torch::kInt64);
  torch::optim::Adam opt((*net)->parameters(), 1e-2);
  (*net)->train();
  double first = 0, last = 0;
  for (int i = 0; i < 30; ++i) {
    opt.zero_grad();
    auto [logits, emb] = (*net)->Forward(x);
    ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{6, 9}));
    ASSERT_EQ(emb.sizes(), (std::vector<int64_t>{6, kEmbeddingDim}));
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
    loss.backward();
    opt.step();
    (i == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first);                 // it can fit six examples
  EXPECT_FALSE(MakeNet("bn", 9, 16, 16).ok());  // too small: a clear error
  EXPECT_FALSE(MakeNet("seed", 9, 128, 256).ok());
  EXPECT_FALSE(MakeNet("resnet", 9, 256, 256).ok());
}

TEST(NetworksTest, RecalibratedBatchNormMakesEvalMatchTheBatchStatistics) {
  torch::manual_seed(9);
  auto net = MakeNet("bn", 9, 64, 64);
  ASSERT_TRUE(net.ok());
  torch::Tensor x = torch::rand({16, 1, 64, 64});
  torch::Tensor y = torch::randint(0, 9, {16}, torch::kInt64);
  // A few big steps: the weights move far from what the running averages
  // (momentum 0.1, from mean 0 / variance 1) have seen.
  torch::optim::Adam opt((*net)->parameters(), 3e-2);
  (*net)->train();
  for (int i = 0; i < 5; ++i) {
    opt.zero_grad();
    torch::nn::functional::cross_entropy((*net)->Forward(x).first, y)
        .backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  // Train mode normalises with x's own statistics: the target. The
  // embedding is compared because it comes before the dropout.
  torch::Tensor want = (*net)->Forward(x).second;
  (*net)->eval();
  const float stale =
      (((*net)->Forward(x).second - want).abs().max() / want.abs().max())
          .item<float>();

  int calls = 0;
  const int layers =
      RecalibrateBatchNorm(**net, [&]() -> std::optional<torch::Tensor> {
        return calls++ < 2 ? std::optional<torch::Tensor>(x) : std::nullopt;
      });
  EXPECT_EQ(layers, 5);
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE((*net)->is_training());  // the mode it was in
  const float fresh =
      (((*net)->Forward(x).second - want).abs().max() / want.abs().max())
          .item<float>();
  // Not exactly 0: running variances are unbiased (n / (n - 1)), and the
  // last layer sees only 16 x 2 x 2 values per channel. Measured 0.012
  // against 0.56 before.
  EXPECT_LT(fresh, 0.03f) << "stale was " << stale;
  EXPECT_GT(stale, 10 * fresh);  // the averages really were off before

  // The seed network has no batch norm: nothing to do, `next` not called.
  auto seed = MakeNet("seed", 9, 256, 256);
  ASSERT_TRUE(seed.ok());
  calls = 0;
  EXPECT_EQ(RecalibrateBatchNorm(**seed,
                                 [&]() -> std::optional<torch::Tensor> {
                                   ++calls;
                                   return std::nullopt;
                                 }),
            0);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace cratedig::trainer
