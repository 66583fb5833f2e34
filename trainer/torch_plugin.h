// Loads the libtorch backend plugin (trainer/torch/plugin_api.h) on first
// use. Only in builds with CRATEDIG_WITH_LIBTORCH; torch-free: the
// executable links no libtorch, the plugin does.
//
// Where the plugin is looked for, in order (the first that exists is
// loaded; none is searched on LD_LIBRARY_PATH):
//  1. $CRATEDIG_TORCH_PLUGIN, when set (and then only there);
//  2. <folder of the running binary>/CRATEDIG_TORCH_PLUGIN_RELDIR, i.e.
//     ../lib/cratedig/ beside bin/ once installed, and build/lib/cratedig/
//     from build/cli/cratedig in the build tree, which mirrors that layout;
//  3. the build tree's plugin, but only for a binary that lies in the build
//     tree (the test and bench executables in their sub-folders).
#pragma once

#include <filesystem>
#include <vector>

#include "core/status.h"
#include "trainer/torch/plugin_api.h"

namespace cratedig::trainer {

// The plugin's table, loading the plugin and applying the pending thread
// and determinism settings the first time (thread-safe). A failure names
// every path tried with dlerror's text and is returned again by later calls
// (a process does not retry). NotFound: no candidate file exists; IoError:
// dlopen or the entry point failed; Corrupt: the plugin was built from
// other sources (ABI check).
Result<const TorchPluginApi*> LoadTorchPlugin();

// The paths LoadTorchPlugin tries, in order.
std::vector<std::filesystem::path> TorchPluginCandidates();

// at::set_num_threads / SetTorchDeterministic: at once when the plugin is
// loaded, else remembered and applied when it loads. Neither loads it, so a
// tiny-dnn run never pays for libtorch.
void SetTorchPluginThreads(int threads);
void SetTorchPluginDeterministic(bool on);

}  // namespace cratedig::trainer
