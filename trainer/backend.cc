#include "trainer/backend.h"

#include <thread>

#ifdef CRATEDIG_WITH_LIBTORCH
#include "trainer/torch/torch_net.h"
#endif
#ifdef CRATEDIG_WITH_TINYDNN
#include "trainer/tinydnn/tinydnn_net.h"
#endif

namespace cratedig::trainer {

std::string CheckpointSuffix(const std::string& backend) {
  return backend == kTinyDnn ? ".tdnn" : ".pt";
}

std::vector<std::string> AvailableBackends() {
  std::vector<std::string> out;
#ifdef CRATEDIG_WITH_LIBTORCH
  out.push_back(kLibtorch);
#endif
#ifdef CRATEDIG_WITH_TINYDNN
  out.push_back(kTinyDnn);
#endif
  return out;
}

Result<std::string> ResolveBackend(const std::string& name) {
  const std::vector<std::string> have = AvailableBackends();
  if (name == "auto") {
    if (have.empty()) return Status::Internal("built without any CNN backend");
    return have.front();
  }
  for (const auto& b : have) {
    if (b == name) return b;
  }
  if (name == kLibtorch) {
    return Status::InvalidArgument(
        "this cratedig was built without libtorch (CRATEDIG_WITH_LIBTORCH="
        "OFF): it cannot train or load a libtorch model run; use a build "
        "with libtorch, or train with --set backend=\"tiny-dnn\"");
  }
  if (name == kTinyDnn) {
    return Status::InvalidArgument("this cratedig was built without tiny-dnn");
  }
  return Status::InvalidArgument("unknown backend \"" + name +
                                 "\" (expected libtorch, tiny-dnn or auto)");
}

Result<std::unique_ptr<Net>> CreateNet(const NetSpec& spec) {
  CRATEDIG_ASSIGN_OR_RETURN(std::string backend, ResolveBackend(spec.backend));
  if (spec.classes < 2) {
    return Status::InvalidArgument("need at least 2 classes");
  }
  NetSpec s = spec;
  s.backend = backend;
  if (backend == kTinyDnn) {
    // Refused, not ignored: a run must be what its settings say.
    auto refuse = [](const std::string& what) {
      return Status::InvalidArgument(
          "the tiny-dnn backend does not support " + what +
          "; train with --set backend=\"libtorch\" or drop the setting");
    };
    if (s.optimizer == "adamw") return refuse("optimizer = \"adamw\"");
    if (s.label_smoothing > 0) return refuse("label_smoothing");
    if (s.mixup) return refuse("mixup_alpha");
    if (s.per_frequency_norm) return refuse("normalize = \"per_frequency\"");
  }
#ifdef CRATEDIG_WITH_LIBTORCH
  if (backend == kLibtorch) return CreateTorchNet(s);
#endif
#ifdef CRATEDIG_WITH_TINYDNN
  if (backend == kTinyDnn) return CreateTinyDnnNet(s);
#endif
  return Status::Internal("backend " + backend + " is not wired in");
}

int SetBackendThreads(int threads) {
  if (threads <= 0) {
    threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
  }
#ifdef CRATEDIG_WITH_LIBTORCH
  SetTorchThreads(threads);
#endif
#ifdef CRATEDIG_WITH_TINYDNN
  SetTinyDnnThreads(threads);
#endif
  return threads;
}

void SetBackendDeterministic(bool on) {
#ifdef CRATEDIG_WITH_LIBTORCH
  SetTorchDeterministic(on);
#endif
  (void)on;
}

}  // namespace cratedig::trainer
