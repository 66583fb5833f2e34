#include "trainer/torch/torch_net.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <omp.h>

#include <filesystem>
#include <mutex>

#include "core/files.h"
#include "trainer/torch/networks.h"

namespace cratedig::trainer {

namespace {

namespace fs = std::filesystem;

std::string What(const std::exception& e) {
  return std::string(e.what()).substr(0, 300);
}

class TorchNet : public Net {
 public:
  TorchNet(NetSpec spec, std::shared_ptr<NetImpl> net)
      : spec_(std::move(spec)), net_(std::move(net)) {}

  const NetSpec& spec() const override { return spec_; }

  Result<StepStats> TrainStep(const BatchView& b) override {
    try {
      if (!opt_) opt_ = MakeOptimizer();
      net_->train();
      torch::Tensor x = Images(b);
      torch::Tensor y = torch::from_blob(const_cast<int64_t*>(b.labels), {b.n},
                                         torch::kInt64);
      opt_->zero_grad();
      auto [logits, emb] = net_->Forward(x);
      torch::Tensor loss = Loss(logits, y, b);
      StepStats st;
      const double lv = loss.item<double>();
      st.loss_sum = lv * b.n;
      st.correct = logits.argmax(1).eq(y).sum().item<int64_t>();
      if (!std::isfinite(lv)) return st;  // the driver reports it
      loss.backward();
      opt_->step();
      return st;
    } catch (const std::exception& e) {
      return Status::Internal("libtorch training step failed: " + What(e));
    }
  }

  Status ForwardBatch(const BatchView& b, std::vector<float>* probs,
                      std::vector<float>* embeddings) override {
    try {
      net_->eval();
      torch::InferenceMode guard;
      auto [logits, emb] = net_->Forward(Images(b));
      if (probs) {
        torch::Tensor p = torch::softmax(logits, 1).contiguous();
        probs->assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
      }
      if (embeddings) {
        torch::Tensor e = emb.contiguous();
        embeddings->assign(e.data_ptr<float>(),
                           e.data_ptr<float>() + e.numel());
      }
    } catch (const std::exception& e) {
      return Status::Internal("libtorch inference failed: " + What(e));
    }
    return Status::Ok();
  }

  Status SetLearningRate(double lr) override {
    try {
      if (!opt_) opt_ = MakeOptimizer();
      for (auto& g : opt_->param_groups()) g.options().set_lr(lr);
    } catch (const std::exception& e) {
      return Status::Internal("cannot set the learning rate: " + What(e));
    }
    return Status::Ok();
  }

  Status SetInputNorm(const std::vector<float>& mean,
                      const std::vector<float>& scale) override {
    if (!spec_.per_frequency_norm ||
        mean.size() != static_cast<size_t>(spec_.height) ||
        scale.size() != mean.size()) {
      return Status::InvalidArgument(
          "input normalisation needs per_frequency_norm and one value per "
          "row");
    }
    net_->SetInputNorm(mean, scale);
    return Status::Ok();
  }

  Status AfterEpoch(
      const std::function<std::optional<BatchView>()>& next) override {
    try {
      RecalibrateBatchNorm(*net_, [&]() -> std::optional<torch::Tensor> {
        std::optional<BatchView> b = next();
        if (!b) return std::nullopt;
        return Images(*b);
      });
    } catch (const std::exception& e) {
      return Status::Internal("batch-norm re-estimation failed: " + What(e));
    }
    return Status::Ok();
  }

  Status SaveCheckpoint(const std::string& path, const LoopState& st) override {
    const fs::path tmp = path + ".tmp";
    try {
      if (!opt_) opt_ = MakeOptimizer();
      torch::serialize::OutputArchive archive;
      torch::serialize::OutputArchive model, optim;
      net_->save(model);
      opt_->save(optim);
      archive.write("model", model);
      archive.write("optimizer", optim);
      archive.write("epoch", torch::IValue(st.epoch));
      archive.write("best_val_loss", torch::IValue(st.best_val_loss));
      archive.write("best_val_acc", torch::IValue(st.best_val_acc));
      archive.write("best_epoch", torch::IValue(st.best_epoch));
      archive.write("bad_epochs", torch::IValue(st.bad_epochs));
      auto gen = at::detail::getDefaultCPUGenerator();
      torch::Tensor rng;
      {
        std::lock_guard<std::mutex> lock(gen.mutex());
        rng = gen.get_state();
      }
      archive.write("rng", torch::IValue(rng));
      archive.save_to(tmp.string());
    } catch (const std::exception& e) {
      return Status::IoError("cannot write checkpoint " + tmp.string() + ": " +
                             What(e));
    }
    return CommitTempFile(tmp, path);
  }

  Status LoadCheckpoint(const std::string& path, LoopState* st) override {
    if (!fs::exists(path)) {
      return Status::NotFound("checkpoint " + path + " does not exist");
    }
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(path);
      torch::serialize::InputArchive model;
      archive.read("model", model);
      net_->load(model);
      ToChannelsLast(*net_);
      if (st == nullptr) return Status::Ok();
      if (!opt_) opt_ = MakeOptimizer();
      torch::serialize::InputArchive optim;
      archive.read("optimizer", optim);
      opt_->load(optim);
      torch::IValue v;
      archive.read("epoch", v);
      st->epoch = v.toInt();
      archive.read("best_val_loss", v);
      st->best_val_loss = v.toDouble();
      archive.read("best_val_acc", v);
      st->best_val_acc = v.toDouble();
      archive.read("best_epoch", v);
      st->best_epoch = v.toInt();
      archive.read("bad_epochs", v);
      st->bad_epochs = v.toInt();
      archive.read("rng", v);
      auto gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(v.toTensor());
    } catch (const std::exception& e) {
      return Status::Corrupt("cannot load libtorch checkpoint " + path +
                             " (damaged, or not a libtorch " + spec_.network +
                             " checkpoint): " + What(e));
    }
    return Status::Ok();
  }

 private:
  torch::Tensor Images(const BatchView& b) const {
    return torch::from_blob(const_cast<float*>(b.x),
                            {b.n, 1, spec_.height, spec_.width},
                            torch::kFloat32);
  }

  // Cross-entropy (with label smoothing); with mixup, lambda x the loss
  // against the labels + (1 - lambda) x the loss against the partners'.
  torch::Tensor Loss(const torch::Tensor& logits, const torch::Tensor& y,
                     const BatchView& b) const {
    namespace F = torch::nn::functional;
    const auto o =
        F::CrossEntropyFuncOptions().label_smoothing(spec_.label_smoothing);
    torch::Tensor loss = F::cross_entropy(logits, y, o);
    if (b.mix_partner == nullptr) return loss;
    torch::Tensor partner = torch::from_blob(
        const_cast<int64_t*>(b.mix_partner), {b.n}, torch::kInt64);
    return b.mix_lambda * loss +
           (1 - b.mix_lambda) *
               F::cross_entropy(logits, y.index_select(0, partner), o);
  }

  std::unique_ptr<torch::optim::Optimizer> MakeOptimizer() {
    if (spec_.optimizer == "adamw") {
      return std::make_unique<torch::optim::AdamW>(
          net_->parameters(), torch::optim::AdamWOptions(spec_.learning_rate)
                                  .eps(1e-7)
                                  .weight_decay(spec_.weight_decay));
    }
    if (spec_.optimizer == "adam") {
      return std::make_unique<torch::optim::Adam>(
          net_->parameters(),
          torch::optim::AdamOptions(spec_.learning_rate).eps(1e-7));
    }
    // Keras' RMSprop (the original's): rho 0.9, epsilon 1e-7.
    return std::make_unique<torch::optim::RMSprop>(
        net_->parameters(),
        torch::optim::RMSpropOptions(spec_.learning_rate).alpha(0.9).eps(1e-7));
  }

  NetSpec spec_;
  std::shared_ptr<NetImpl> net_;
  std::unique_ptr<torch::optim::Optimizer> opt_;  // made on first use
};

}  // namespace

Result<std::unique_ptr<Net>> CreateTorchNet(const NetSpec& spec) {
  try {
    torch::manual_seed(static_cast<uint64_t>(spec.seed));
    CRATEDIG_ASSIGN_OR_RETURN(
        auto net, MakeNet(spec.network, spec.classes, spec.height, spec.width,
                          spec.per_frequency_norm));
    return std::unique_ptr<Net>(new TorchNet(spec, std::move(net)));
  } catch (const std::exception& e) {
    return Status::Internal("cannot create the libtorch network: " + What(e));
  }
}

void SetTorchThreads(int threads) { at::set_num_threads(threads); }

void SetTorchDeterministic(bool on) {
  omp_set_dynamic(on ? 0 : 1);
  at::globalContext().setDeterministicAlgorithms(on, /*warn_only=*/false);
}

}  // namespace cratedig::trainer
