// The libtorch backend (trainer/backend.h). Torch-free header; only built
// with CRATEDIG_WITH_LIBTORCH, into the plugin libcratedig_torch.so
// (trainer/torch/plugin_api.h) and the tests of trainer/torch/. The
// executable reaches these through the plugin's table, never by name.
#pragma once

#include <memory>

#include "trainer/backend.h"

namespace cratedig::trainer {

// REQUIRES: spec.backend == kLibtorch. Networks "seed" and "bn".
Result<std::unique_ptr<Net>> CreateTorchNet(const NetSpec& spec);

// libtorch's intra-op threads (Debian's build otherwise uses 1).
void SetTorchThreads(int threads);

// See SetBackendDeterministic.
void SetTorchDeterministic(bool on);

}  // namespace cratedig::trainer
