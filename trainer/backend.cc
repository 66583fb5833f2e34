#include "trainer/backend.h"

#include <thread>

#ifdef CRATEDIG_WITH_LIBTORCH
#include "trainer/torch_plugin.h"
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
  std::string want = name;
  if (name == "auto") {
    if (have.empty()) return Status::Internal("built without any CNN backend");
    want = have.front();
  }
  for (const auto& b : have) {
    if (b != want) continue;
#ifdef CRATEDIG_WITH_LIBTORCH
    // Resolving libtorch loads its plugin (~0.8 s, once per process), so
    // that a missing or broken plugin is reported, with its path, before a
    // run starts. "auto" does not fall back to tiny-dnn then: a build with
    // libtorch whose plugin is gone is a broken install, and silently
    // training another library's network would hide it.
    if (b == kLibtorch) {
      CRATEDIG_RETURN_IF_ERROR(LoadTorchPlugin().status());
    }
#endif
    return b;
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
  if (backend == kLibtorch) {
    CRATEDIG_ASSIGN_OR_RETURN(const TorchPluginApi* torch, LoadTorchPlugin());
    return torch->create_net(s);
  }
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
  SetTorchPluginThreads(threads);  // now if loaded, else when it loads
#endif
#ifdef CRATEDIG_WITH_TINYDNN
  SetTinyDnnThreads(threads);
#endif
  return threads;
}

void SetBackendDeterministic(bool on) {
#ifdef CRATEDIG_WITH_LIBTORCH
  SetTorchPluginDeterministic(on);  // now if loaded, else when it loads
#endif
  (void)on;
}

}  // namespace cratedig::trainer
