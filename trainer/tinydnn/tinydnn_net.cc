#include "trainer/tinydnn/tinydnn_net.h"

#include <cblas.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/files.h"
#include "trainer/tinydnn/fast_layers.h"
#include "trainer/tinydnn/seed_net.h"

namespace cratedig::trainer {

namespace {

namespace fs = std::filesystem;
using tdnn::Network;
using tiny_dnn::tensor_t;
using tiny_dnn::vec_t;

// Checkpoint file: magic, version, then length-prefixed fields (below),
// then an end marker so a truncated file is caught.
constexpr char kMagic[8] = {'C', 'D', 'T', 'D', 'N', 'N', '0', '1'};
constexpr uint32_t kEndMarker = 0x444e4521;  // "!END"

// tiny-dnn's fit() calls optimizer.reset() (clearing RMSprop's/Adam's
// running averages) on every call; the trainer calls it once per batch, so
// the reset is made explicit instead. The state is reachable for
// checkpoints through Slots().
template <class Base, int N>
struct Persistent : Base {
  void reset() override {}
  std::unordered_map<const vec_t*, vec_t>* Slots() { return this->E_; }
  static constexpr int kSlots = N;
};
using RmsProp = Persistent<tiny_dnn::RMSprop, 1>;
using Adam = Persistent<tiny_dnn::adam, 2>;

// Binary helpers for the checkpoint.
class Writer {
 public:
  template <class T>
  void Pod(const T& v) {
    out_.write(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void Bytes(const std::string& s) {
    Pod<uint64_t>(s.size());
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  void Floats(const vec_t& v) {
    Pod<uint64_t>(v.size());
    out_.write(reinterpret_cast<const char*>(v.data()),
               static_cast<std::streamsize>(v.size() * sizeof(float)));
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

class Reader {
 public:
  explicit Reader(std::string data) : data_(std::move(data)) {}
  template <class T>
  bool Pod(T* v) {
    if (data_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Bytes(std::string* s) {
    uint64_t n = 0;
    if (!Pod(&n) || data_.size() - pos_ < n) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool Floats(vec_t* v) {
    uint64_t n = 0;
    if (!Pod(&n) || (data_.size() - pos_) / sizeof(float) < n) return false;
    v->resize(n);
    std::memcpy(v->data(), data_.data() + pos_, n * sizeof(float));
    pos_ += n * sizeof(float);
    return true;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

std::string What(const std::exception& e) {
  return std::string(e.what()).substr(0, 300);
}

class TinyDnnNet : public Net {
 public:
  explicit TinyDnnNet(NetSpec spec) : spec_(std::move(spec)) {
    // tiny-dnn's defaults are lr 1e-4 and rho 0.99; the original's (Keras)
    // are the run's learning rate and rho 0.9. (Its epsilon, 1e-8 under the
    // square root, is private and stays.)
    rms_.alpha = static_cast<float>(spec_.learning_rate);
    rms_.mu = 0.9f;
    adam_.alpha = static_cast<float>(spec_.learning_rate);
  }

  Status Build() {
    tiny_dnn::set_random_seed(static_cast<unsigned>(spec_.seed));
    CRATEDIG_RETURN_IF_ERROR(
        tdnn::BuildSeedNet(net_, spec_.classes, spec_.height, spec_.width));
    net_.init_weight();
    net_.set_netphase(tiny_dnn::net_phase::test);
    return Status::Ok();
  }

  const NetSpec& spec() const override { return spec_; }

  Status SetLearningRate(double lr) override {
    rms_.alpha = static_cast<float>(lr);
    adam_.alpha = static_cast<float>(lr);
    return Status::Ok();
  }

  Status SetInputNorm(const std::vector<float>&,
                      const std::vector<float>&) override {
    return Status::InvalidArgument(
        "the tiny-dnn backend has no input normalisation");
  }

  Result<StepStats> TrainStep(const BatchView& b) override {
    if (b.mix_partner != nullptr) {
      return Status::InvalidArgument("the tiny-dnn backend cannot mix batches");
    }
    try {
      std::vector<tensor_t> in = Images(b), target(b.n);
      for (int i = 0; i < b.n; ++i) {
        vec_t t(spec_.classes, 0.0f);
        t[b.labels[i]] = 1.0f;
        target[i] = {std::move(t)};
      }
      if (spec_.optimizer == "adam") {
        Fit(adam_, in, target);
      } else {
        Fit(rms_, in, target);
      }
      // The softmax outputs the step's gradient came from (before the
      // update), still held by the last layer.
      const tensor_t probs = net_[net_.depth() - 1]->output()[0];
      StepStats st;
      for (int i = 0; i < b.n; ++i) {
        const vec_t& p = probs[i];
        st.loss_sum -= std::log(std::max<double>(
            p[b.labels[i]], std::numeric_limits<float>::min()));
        st.correct +=
            (std::max_element(p.begin(), p.end()) - p.begin()) == b.labels[i];
        for (float v : p) {
          if (!std::isfinite(v)) st.loss_sum = NAN;
        }
      }
      return st;
    } catch (const std::exception& e) {
      return Status::Internal("tiny-dnn training step failed: " + What(e));
    }
  }

  Status ForwardBatch(const BatchView& b, std::vector<float>* probs,
                      std::vector<float>* embeddings) override {
    try {
      net_.set_netphase(tiny_dnn::net_phase::test);
      net_.predict(Images(b));
      if (probs) {
        const tensor_t out = net_[net_.depth() - 1]->output()[0];
        for (const vec_t& p : out) {
          probs->insert(probs->end(), p.begin(), p.end());
        }
      }
      if (embeddings) {
        const tensor_t e = net_[tdnn::kEmbeddingLayer]->output()[0];
        for (const vec_t& v : e) {
          embeddings->insert(embeddings->end(), v.begin(), v.end());
        }
      }
    } catch (const std::exception& e) {
      return Status::Internal("tiny-dnn inference failed: " + What(e));
    }
    return Status::Ok();
  }

  Status AfterEpoch(const std::function<std::optional<BatchView>()>&) override {
    return Status::Ok();  // no batch norm in the seed network
  }

  Status SaveCheckpoint(const std::string& path, const LoopState& st) override;
  Status LoadCheckpoint(const std::string& path, LoopState* st) override;

 private:
  template <class Opt>
  void Fit(Opt& opt, const std::vector<tensor_t>& in,
           const std::vector<tensor_t>& target) {
    net_.fit<tiny_dnn::cross_entropy_multiclass>(opt, in, target, in.size(), 1);
  }

  std::vector<tensor_t> Images(const BatchView& b) const {
    const size_t px = static_cast<size_t>(spec_.height) * spec_.width;
    std::vector<tensor_t> in(b.n);
    for (int i = 0; i < b.n; ++i) {
      in[i] = {vec_t(b.x + px * i, b.x + px * (i + 1))};
    }
    return in;
  }

  // The weight vectors in network order (the optimizer state's keys).
  std::vector<vec_t*> Weights() {
    std::vector<vec_t*> out;
    for (size_t i = 0; i < net_.depth(); ++i) {
      for (vec_t* w : net_[i]->weights()) out.push_back(w);
    }
    return out;
  }

  template <class Opt>
  void SaveOptimizer(Writer& w, Opt& opt) {
    for (vec_t* p : Weights()) {
      for (int k = 0; k < Opt::kSlots; ++k) {
        auto& m = opt.Slots()[k];
        auto it = m.find(p);
        w.Floats(it == m.end() ? vec_t() : it->second);
      }
    }
  }

  template <class Opt>
  bool LoadOptimizer(Reader& r, Opt& opt) {
    for (vec_t* p : Weights()) {
      for (int k = 0; k < Opt::kSlots; ++k) {
        vec_t v;
        if (!r.Floats(&v)) return false;
        if (v.empty()) continue;
        if (v.size() != p->size()) return false;
        opt.Slots()[k][p] = std::move(v);
      }
    }
    return true;
  }

  NetSpec spec_;
  Network net_;
  RmsProp rms_;
  Adam adam_;
};

Status TinyDnnNet::SaveCheckpoint(const std::string& path,
                                  const LoopState& st) {
  try {
    Writer w;
    w.Bytes(std::string(kMagic, sizeof kMagic));
    w.Bytes(spec_.network);
    w.Pod<int32_t>(spec_.classes);
    w.Pod<int32_t>(spec_.height);
    w.Pod<int32_t>(spec_.width);
    w.Pod<int64_t>(st.epoch);
    w.Pod<double>(st.best_val_loss);
    w.Pod<double>(st.best_val_acc);
    w.Pod<int64_t>(st.best_epoch);
    w.Pod<int64_t>(st.bad_epochs);
    {  // the weights, through tiny-dnn's own (cereal) serialization
      std::ostringstream weights;
      {
        cereal::BinaryOutputArchive ar(weights);
        net_.to_archive(ar, tiny_dnn::content_type::weights);
      }
      w.Bytes(weights.str());
    }
    w.Bytes(spec_.optimizer);
    if (spec_.optimizer == "adam") {
      w.Pod<float>(adam_.b1_t);
      w.Pod<float>(adam_.b2_t);
      SaveOptimizer(w, adam_);
    } else {
      SaveOptimizer(w, rms_);
    }
    std::ostringstream rng;
    rng << tiny_dnn::random_generator::get_instance()();
    w.Bytes(rng.str());
    w.Pod<uint32_t>(kEndMarker);
    return WriteFileAtomic(path, w.str());
  } catch (const std::exception& e) {
    return Status::IoError("cannot write checkpoint " + path + ": " + What(e));
  }
}

Status TinyDnnNet::LoadCheckpoint(const std::string& path, LoopState* st) {
  if (!fs::exists(path)) {
    return Status::NotFound("checkpoint " + path + " does not exist");
  }
  CRATEDIG_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  auto corrupt = [&](const std::string& why) {
    return Status::Corrupt("cannot load tiny-dnn checkpoint " + path + ": " +
                           why);
  };
  if (data.rfind("PK", 0) == 0) {
    return corrupt(
        "it is a libtorch checkpoint (a zip archive), not a tiny-dnn one");
  }
  Reader r(std::move(data));
  std::string magic, network, weights, optimizer, rng;
  int32_t classes = 0, height = 0, width = 0;
  LoopState ls;
  if (!r.Bytes(&magic) || magic != std::string(kMagic, sizeof kMagic)) {
    return corrupt("not a cratedig tiny-dnn checkpoint (bad magic)");
  }
  if (!r.Bytes(&network) || !r.Pod(&classes) || !r.Pod(&height) ||
      !r.Pod(&width)) {
    return corrupt("truncated header");
  }
  if (network != spec_.network || classes != spec_.classes ||
      height != spec_.height || width != spec_.width) {
    return corrupt(
        "it holds a " + network + " network for " + std::to_string(classes) +
        " classes on " + std::to_string(height) + "x" + std::to_string(width) +
        " tiles; expected " + spec_.network + ", " +
        std::to_string(spec_.classes) + ", " + std::to_string(spec_.height) +
        "x" + std::to_string(spec_.width));
  }
  if (!r.Pod(&ls.epoch) || !r.Pod(&ls.best_val_loss) ||
      !r.Pod(&ls.best_val_acc) || !r.Pod(&ls.best_epoch) ||
      !r.Pod(&ls.bad_epochs) || !r.Bytes(&weights)) {
    return corrupt("truncated");
  }
  // Parse everything into a scratch network first, so a damaged file
  // leaves this one as it was.
  try {
    Network fresh;
    CRATEDIG_RETURN_IF_ERROR(
        tdnn::BuildSeedNet(fresh, spec_.classes, spec_.height, spec_.width));
    fresh.init_weight();
    std::istringstream in(weights);
    {
      cereal::BinaryInputArchive ar(in);
      fresh.from_archive(ar, tiny_dnn::content_type::weights);
    }
    if (in.peek() != std::char_traits<char>::eof()) {
      return corrupt("weights of another shape");
    }
    // Copy the weights in place: the optimizer state is keyed by the
    // weight vectors' addresses.
    for (size_t i = 0; i < net_.depth(); ++i) {
      auto dst = net_[i]->weights();
      auto src = fresh[i]->weights();
      for (size_t k = 0; k < dst.size(); ++k) {
        if (src[k]->size() != dst[k]->size()) {
          return corrupt("weights of another shape");
        }
      }
      for (size_t k = 0; k < dst.size(); ++k) *dst[k] = *src[k];
    }
  } catch (const std::exception& e) {
    return corrupt("its weights do not parse: " + What(e));
  }
  net_.set_netphase(tiny_dnn::net_phase::test);
  if (st == nullptr) return Status::Ok();
  if (!r.Bytes(&optimizer) || optimizer != spec_.optimizer) {
    return corrupt("it was written with optimizer \"" + optimizer +
                   "\", the run uses \"" + spec_.optimizer + "\"");
  }
  bool ok = true;
  if (optimizer == "adam") {
    ok = r.Pod(&adam_.b1_t) && r.Pod(&adam_.b2_t) && LoadOptimizer(r, adam_);
  } else {
    ok = LoadOptimizer(r, rms_);
  }
  uint32_t end = 0;
  if (!ok || !r.Bytes(&rng) || !r.Pod(&end) || end != kEndMarker) {
    return corrupt("truncated optimizer state");
  }
  std::istringstream rs(rng);
  rs >> tiny_dnn::random_generator::get_instance()();
  *st = ls;
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Net>> CreateTinyDnnNet(const NetSpec& spec) {
  if (spec.network != "seed") {
    return Status::InvalidArgument(
        "the tiny-dnn backend has the seed network only, not \"" +
        spec.network + "\"; use --set network=\"seed\", or backend=\"" +
        kLibtorch + "\"");
  }
  try {
    auto net = std::make_unique<TinyDnnNet>(spec);
    CRATEDIG_RETURN_IF_ERROR(net->Build());
    return std::unique_ptr<Net>(std::move(net));
  } catch (const std::exception& e) {
    return Status::Internal("cannot create the tiny-dnn network: " + What(e));
  }
}

void SetTinyDnnThreads(int threads) { tdnn::SetWorkers(threads); }

}  // namespace cratedig::trainer
