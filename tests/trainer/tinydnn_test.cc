// The tiny-dnn backend: our fused layer's values and gradients against a
// plain reference and finite differences, and the backend's checkpoints
// (save, load, embed identically; damaged or foreign files refused).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "trainer/backend.h"
#include "trainer/tinydnn/fast_layers.h"

namespace cratedig::trainer {
namespace {

namespace fs = std::filesystem;
using tiny_dnn::tensor_t;
using tiny_dnn::vec_t;

vec_t Random(size_t n, std::mt19937& rng, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> d(lo, hi);
  vec_t v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

struct Shape {
  int w, h, c, f;
};

// conv(k2, s2) -> ELU -> max-pool 2, the paper's order, by loops.
vec_t Reference(const Shape& s, const vec_t& x, const vec_t& w,
                const vec_t& b) {
  const int cw = s.w / 2, ch = s.h / 2, pw = cw / 2, ph = ch / 2;
  vec_t out(static_cast<size_t>(s.f) * ph * pw);
  for (int f = 0; f < s.f; ++f) {
    std::vector<double> conv(static_cast<size_t>(ch) * cw);
    for (int oy = 0; oy < ch; ++oy) {
      for (int ox = 0; ox < cw; ++ox) {
        double v = b[f];
        for (int c = 0; c < s.c; ++c) {
          for (int i = 0; i < 2; ++i) {
            for (int j = 0; j < 2; ++j) {
              v += w[((f * s.c + c) * 2 + i) * 2 + j] *
                   x[(c * s.h + 2 * oy + i) * s.w + 2 * ox + j];
            }
          }
        }
        conv[oy * cw + ox] = v > 0 ? v : std::expm1(v);
      }
    }
    for (int py = 0; py < ph; ++py) {
      for (int px = 0; px < pw; ++px) {
        double m = -1e30;
        for (int i = 0; i < 2; ++i) {
          for (int j = 0; j < 2; ++j) {
            m = std::max(m, conv[(2 * py + i) * cw + 2 * px + j]);
          }
        }
        out[(f * ph + py) * pw + px] = static_cast<float>(m);
      }
    }
  }
  return out;
}

// Loss = sum(out * r), for gradient checks.
double Loss(const Shape& s, const vec_t& x, const vec_t& w, const vec_t& b,
            const vec_t& r) {
  vec_t o = Reference(s, x, w, b);
  double l = 0;
  for (size_t i = 0; i < o.size(); ++i) l += double(o[i]) * r[i];
  return l;
}

class ConvPoolEluTest : public ::testing::TestWithParam<Shape> {};

TEST_P(ConvPoolEluTest, ValuesAndGradientsMatchReferenceAndFiniteDifferences) {
  const Shape s = GetParam();
  std::mt19937 rng(7);
  tdnn::ConvPoolEluLayer layer(s.w, s.h, s.c, s.f);
  layer.set_parallelize(true);
  layer.init_weight();
  auto weights = layer.weights();
  *weights[0] = Random(weights[0]->size(), rng, -0.5f, 0.5f);
  *weights[1] = Random(weights[1]->size(), rng, -0.2f, 0.2f);
  const vec_t w = *weights[0], b = *weights[1];
  // Three samples: the weight gradient must be their sum.
  const size_t in_size = static_cast<size_t>(s.c) * s.h * s.w;
  tensor_t x = {Random(in_size, rng), Random(in_size, rng),
                Random(in_size, rng)};
  std::vector<tensor_t> out = layer.forward({x});
  ASSERT_EQ(out[0].size(), 3u);
  for (size_t n = 0; n < 3; ++n) {
    vec_t ref = Reference(s, x[n], w, b);
    ASSERT_EQ(out[0][n].size(), ref.size());
    for (size_t i = 0; i < ref.size(); ++i) {
      EXPECT_NEAR(out[0][n][i], ref[i], 1e-5) << "sample " << n << " " << i;
    }
  }

  tensor_t r;
  for (int n = 0; n < 3; ++n) r.push_back(Random(out[0][0].size(), rng));
  layer.clear_grads();
  std::vector<tensor_t> grads = layer.backward({r});
  ASSERT_EQ(grads.size(), 3u);
  ASSERT_EQ(grads[1].size(), 1u) << "one summed weight-gradient slot";

  const double eps = 1e-3;
  auto check = [&](const char* what, double analytic,
                   const std::function<double(double)>& loss_at) {
    const double numeric = (loss_at(eps) - loss_at(-eps)) / (2 * eps);
    EXPECT_NEAR(analytic, numeric, 2e-3 + 2e-3 * std::abs(numeric)) << what;
  };
  std::uniform_int_distribution<size_t> pick_w(0, w.size() - 1),
      pick_x(0, in_size - 1);
  for (int t = 0; t < 12; ++t) {
    const size_t k = pick_w(rng);
    check("dW", grads[1][0][k], [&](double d) {
      vec_t w2 = w;
      w2[k] += static_cast<float>(d);
      double l = 0;
      for (int n = 0; n < 3; ++n) l += Loss(s, x[n], w2, b, r[n]);
      return l;
    });
  }
  for (int c = 0; c < s.f; ++c) {
    check("db", grads[2][0][c], [&](double d) {
      vec_t b2 = b;
      b2[c] += static_cast<float>(d);
      double l = 0;
      for (int n = 0; n < 3; ++n) l += Loss(s, x[n], w, b2, r[n]);
      return l;
    });
  }
  for (int t = 0; t < 24; ++t) {
    const size_t k = pick_x(rng);
    const int n = t % 3;
    check("dX", grads[0][n][k], [&](double d) {
      vec_t x2 = x[n];
      x2[k] += static_cast<float>(d);
      return Loss(s, x2, w, b, r[n]);
    });
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvPoolEluTest,
                         ::testing::Values(Shape{8, 8, 1, 4},
                                           Shape{11, 9, 3, 5},  // odd sides
                                           Shape{4, 4, 6, 7},
                                           // 9 pooled columns: the 8-wide
                                           // vector path and a tail; odd
                                           // conv height.
                                           Shape{36, 34, 2, 3}));

// A net on 256x256 tiles with a few steps of training behind it.
std::unique_ptr<Net> TrainedNet(const std::string& optimizer,
                                std::vector<float>* x,
                                std::vector<int64_t>* y) {
  NetSpec spec;
  spec.backend = kTinyDnn;
  spec.network = "seed";
  spec.classes = 3;
  spec.optimizer = optimizer;
  auto net = CreateNet(spec);
  EXPECT_TRUE(net.ok()) << net.status().ToString();
  std::mt19937 rng(3);
  const int n = 6;
  vec_t px = Random(static_cast<size_t>(n) * 256 * 256, rng, 0, 1);
  x->assign(px.begin(), px.end());
  y->clear();
  for (int i = 0; i < n; ++i) y->push_back(i % 3);
  for (int step = 0; step < 2; ++step) {
    auto st = (*net)->TrainStep(BatchView{x->data(), y->data(), n});
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_TRUE(std::isfinite(st->loss_sum));
  }
  return std::move(*net);
}

fs::path TempDir() {
  fs::path d = fs::temp_directory_path() /
               ("cratedig_tinydnn_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(TinyDnnNetTest, SaveLoadEmbedGivesIdenticalVectorsAndResumesState) {
  std::vector<float> x;
  std::vector<int64_t> y;
  auto net = TrainedNet("rmsprop", &x, &y);
  const fs::path dir = TempDir();
  const std::string path = (dir / "a.tdnn").string();
  LoopState st;
  st.epoch = 4;
  st.best_val_loss = 1.25;
  st.best_epoch = 3;
  st.bad_epochs = 1;
  ASSERT_TRUE(net->SaveCheckpoint(path, st).ok());
  std::vector<float> probs1, emb1, probs2, emb2;
  ASSERT_TRUE(
      net->Forward(BatchView{x.data(), nullptr, 6}, &probs1, &emb1).ok());
  ASSERT_EQ(emb1.size(), 6u * kEmbeddingDimension);
  ASSERT_EQ(probs1.size(), 6u * 3);

  NetSpec spec = net->spec();
  spec.seed = 99;  // different fresh weights: the load must replace them
  auto other = CreateNet(spec);
  ASSERT_TRUE(other.ok());
  LoopState got;
  ASSERT_TRUE((*other)->LoadCheckpoint(path, &got).ok());
  EXPECT_EQ(got.epoch, 4);
  EXPECT_EQ(got.best_val_loss, 1.25);
  EXPECT_EQ(got.bad_epochs, 1);
  ASSERT_TRUE(
      (*other)->Forward(BatchView{x.data(), nullptr, 6}, &probs2, &emb2).ok());
  EXPECT_EQ(emb1, emb2);
  EXPECT_EQ(probs1, probs2);
  // The optimizer state came along: the next step is the same on both.
  // (Both draw dropout masks from tiny-dnn's one global generator, which a
  // load restores: load before each step.)
  ASSERT_TRUE(net->LoadCheckpoint(path, &got).ok());
  auto a = net->TrainStep(BatchView{x.data(), y.data(), 6});
  ASSERT_TRUE((*other)->LoadCheckpoint(path, &got).ok());
  auto b = (*other)->TrainStep(BatchView{x.data(), y.data(), 6});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(
      net->Forward(BatchView{x.data(), nullptr, 6}, nullptr, &emb1).ok());
  ASSERT_TRUE(
      (*other)->Forward(BatchView{x.data(), nullptr, 6}, nullptr, &emb2).ok());
  EXPECT_EQ(emb1, emb2);
  fs::remove_all(dir);
}

TEST(TinyDnnNetTest, CorruptOrForeignCheckpointIsAClearError) {
  std::vector<float> x;
  std::vector<int64_t> y;
  auto net = TrainedNet("adam", &x, &y);
  const fs::path dir = TempDir();
  const std::string good = (dir / "good.tdnn").string();
  ASSERT_TRUE(net->SaveCheckpoint(good, LoopState{}).ok());
  std::string bytes;
  {
    std::ifstream f(good, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  auto write = [&](const std::string& name, const std::string& data) {
    std::ofstream f(dir / name, std::ios::binary);
    f << data;
    return (dir / name).string();
  };
  struct Case {
    std::string path, expect;
  };
  const std::vector<Case> cases = {
      {write("trunc.tdnn", bytes.substr(0, bytes.size() / 2)), "truncated"},
      {write("zip.tdnn", "PK\x03\x04 a libtorch archive"), "libtorch"},
      {write("text.tdnn", "hello"), "bad magic"},
      {(dir / "missing.tdnn").string(), "does not exist"},
  };
  for (const auto& c : cases) {
    LoopState st;
    Status s = net->LoadCheckpoint(c.path, &st);
    EXPECT_FALSE(s.ok()) << c.path;
    EXPECT_NE(s.ToString().find(c.expect), std::string::npos) << s.ToString();
  }
  // Another shape: a 5-class net refuses a 3-class checkpoint.
  NetSpec spec = net->spec();
  spec.classes = 5;
  auto five = CreateNet(spec);
  ASSERT_TRUE(five.ok());
  Status s = (*five)->LoadCheckpoint(good, nullptr);
  EXPECT_NE(s.ToString().find("3 classes"), std::string::npos) << s.ToString();
  fs::remove_all(dir);
}

TEST(TinyDnnNetTest, OnlyTheSeedNetworkAndAClearMessageOtherwise) {
  NetSpec spec;
  spec.backend = kTinyDnn;
  spec.network = "bn";
  auto net = CreateNet(spec);
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.status().ToString().find("seed network only"),
            std::string::npos);
  spec.network = "seed";
  spec.height = 128;
  EXPECT_FALSE(CreateNet(spec).ok());
  spec.height = 256;
  spec.backend = "caffe";
  EXPECT_FALSE(CreateNet(spec).ok());
}

#ifdef CRATEDIG_WITH_LIBTORCH
TEST(TinyDnnNetTest, EachBackendRefusesTheOthersCheckpoint) {
  const fs::path dir = TempDir();
  NetSpec spec;
  spec.network = "seed";
  spec.classes = 3;
  spec.backend = kLibtorch;
  auto torch_net = CreateNet(spec);
  spec.backend = kTinyDnn;
  auto tdnn_net = CreateNet(spec);
  ASSERT_TRUE(torch_net.ok() && tdnn_net.ok());
  const std::string pt = (dir / "a.pt").string(),
                    td = (dir / "a.tdnn").string();
  ASSERT_TRUE((*torch_net)->SaveCheckpoint(pt, LoopState{}).ok());
  ASSERT_TRUE((*tdnn_net)->SaveCheckpoint(td, LoopState{}).ok());
  Status a = (*tdnn_net)->LoadCheckpoint(pt, nullptr);
  EXPECT_EQ(a.code(), StatusCode::kCorrupt);
  EXPECT_NE(a.ToString().find("libtorch checkpoint"), std::string::npos)
      << a.ToString();
  Status b = (*torch_net)->LoadCheckpoint(td, nullptr);
  EXPECT_EQ(b.code(), StatusCode::kCorrupt);
  EXPECT_NE(b.ToString().find("libtorch"), std::string::npos) << b.ToString();
  fs::remove_all(dir);
}
#endif

}  // namespace
}  // namespace cratedig::trainer
