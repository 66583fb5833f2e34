// The contract between the cratedig executable and the libtorch backend
// plugin (libcratedig_torch.so, built from trainer/torch/). Torch-free.
//
// Why a plugin: linking libtorch into the executable made every command,
// even `cratedig --help`, pay ~0.8 s of libtorch's static initialisers
// before main() (bench/startup). The executable now links no libtorch;
// trainer/torch_plugin.cc dlopens the plugin the first time a libtorch
// network is asked for, so only train / evaluate / embed / demo runs that
// use the libtorch backend pay for it.
//
// The plugin holds only trainer/torch/*.cc and libtorch. Everything else it
// calls (Status, core/files.h) it resolves from the executable that loads
// it, which exports its symbols (trainer/CMakeLists.txt: --export-dynamic on
// whatever links cratedig_trainer). One copy of that code, no second set of
// globals; the alternative, a private copy of core/ inside the plugin, would
// need a position-independent rebuild of it and two copies of every static.
// The plugin is compiled with hidden visibility, so its own definitions bind
// inside it and never clash with a test that also links trainer/torch/
// directly; only the entry point below is exported.
#pragma once

#include <cstddef>
#include <memory>

#include "core/status.h"
#include "trainer/backend.h"

namespace cratedig::trainer {

// Bumped whenever TorchPluginApi or a type it passes changes meaning; the
// sizes below catch most forgotten bumps between a binary and a stale
// plugin.
inline constexpr int kTorchPluginAbi = 1;

// The plugin's file name; where it is looked for: trainer/torch_plugin.h.
inline constexpr const char* kTorchPluginFile = "libcratedig_torch.so";
// The one exported symbol: `const TorchPluginApi* cratedig_torch_plugin()`.
inline constexpr const char* kTorchPluginEntry = "cratedig_torch_plugin";

struct TorchPluginApi {
  int abi = kTorchPluginAbi;
  std::size_t netspec_size = sizeof(NetSpec);
  std::size_t batchview_size = sizeof(BatchView);
  std::size_t loopstate_size = sizeof(LoopState);
  std::size_t status_size = sizeof(Status);
  // backend.h's CreateNet for spec.backend == kLibtorch (already checked).
  Result<std::unique_ptr<Net>> (*create_net)(const NetSpec& spec) = nullptr;
  // at::set_num_threads (Debian's libtorch otherwise uses 1).
  void (*set_threads)(int threads) = nullptr;
  // SetBackendDeterministic for libtorch.
  void (*set_deterministic)(bool on) = nullptr;
};

using TorchPluginEntry = const TorchPluginApi* (*)();

}  // namespace cratedig::trainer
