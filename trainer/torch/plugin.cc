// The plugin's entry point (trainer/torch/plugin_api.h). Only file of the
// plugin that is not also linked into tests that use trainer/torch/
// directly.
#include "trainer/torch/plugin_api.h"
#include "trainer/torch/torch_net.h"

extern "C" __attribute__((visibility("default")))
const cratedig::trainer::TorchPluginApi*
cratedig_torch_plugin() {
  static const cratedig::trainer::TorchPluginApi api = [] {
    cratedig::trainer::TorchPluginApi a;
    a.create_net = &cratedig::trainer::CreateTorchNet;
    a.set_threads = &cratedig::trainer::SetTorchThreads;
    a.set_deterministic = &cratedig::trainer::SetTorchDeterministic;
    return a;
  }();
  return &api;
}
