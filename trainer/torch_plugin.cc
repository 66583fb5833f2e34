#include "trainer/torch_plugin.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

namespace cratedig::trainer {

namespace {

namespace fs = std::filesystem;

// Everything the loader keeps, under one mutex: a CNN backend may be asked
// for from the trainer's and a server's threads.
struct PluginState {
  std::mutex mu;
  bool tried = false;
  const TorchPluginApi* api = nullptr;  // set once loaded, never unloaded
  Status error;                         // the first attempt's failure
  std::optional<int> threads;           // pending settings
  std::optional<bool> deterministic;
};

PluginState& State() {
  static PluginState* s = new PluginState;  // never destroyed: used at exit
  return *s;
}

// Is `path` inside `dir` (both made absolute and normal, symlinks resolved
// where they exist)?
bool Inside(const fs::path& path, const fs::path& dir) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return false;
  const fs::path d = fs::weakly_canonical(dir, ec);
  if (ec || d.empty()) return false;
  auto [end, unused] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  (void)unused;
  return end == d.end();
}

std::string Describe(const std::vector<fs::path>& tried,
                     const std::vector<std::string>& why) {
  std::string out;
  for (size_t i = 0; i < tried.size(); ++i) {
    out += "\n  " + tried[i].string() + ": " + why[i];
  }
  return out;
}

const char kHint[] =
    "\nThe libtorch backend is a plugin installed beside cratedig (in "
    "<prefix>/" CRATEDIG_TORCH_PLUGIN_INSTALL_DIR
    "/). Reinstall cratedig, set CRATEDIG_TORCH_PLUGIN to the plugin's path, "
    "or use the tiny-dnn backend: --set backend=\"tiny-dnn\".";

Status CheckAbi(const TorchPluginApi* api, const fs::path& path) {
  const TorchPluginApi here;
  if (api == nullptr || api->abi != here.abi ||
      api->netspec_size != here.netspec_size ||
      api->batchview_size != here.batchview_size ||
      api->loopstate_size != here.loopstate_size ||
      api->status_size != here.status_size || api->create_net == nullptr ||
      api->set_threads == nullptr || api->set_deterministic == nullptr) {
    return Status::Corrupt(path.string() +
                           ": the libtorch backend plugin was built from "
                           "other cratedig sources than this binary; "
                           "rebuild or reinstall both together");
  }
  return Status::Ok();
}

// REQUIRES: s.mu held, !s.tried.
void LoadLocked(PluginState& s) {
  s.tried = true;
  std::vector<fs::path> tried;
  std::vector<std::string> why;
  for (const fs::path& path : TorchPluginCandidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried.push_back(path);
      why.push_back("no such file");
      continue;
    }
    // RTLD_NOW: a symbol the binary does not provide fails here, with its
    // name, rather than at the first call. Never dlclose'd: libtorch does
    // not support being unloaded.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* e = dlerror();
      s.error = Status::IoError("cannot load the libtorch backend plugin " +
                                path.string() + ": " +
                                (e ? e : "dlopen failed") + kHint);
      return;
    }
    auto entry =
        reinterpret_cast<TorchPluginEntry>(dlsym(handle, kTorchPluginEntry));
    if (entry == nullptr) {
      const char* e = dlerror();
      s.error = Status::IoError(path.string() + ": not a cratedig plugin: " +
                                (e ? e : "no entry point"));
      return;
    }
    const TorchPluginApi* api = entry();
    s.error = CheckAbi(api, path);
    if (!s.error.ok()) return;
    s.api = api;
    if (s.threads) api->set_threads(*s.threads);
    if (s.deterministic) api->set_deterministic(*s.deterministic);
    return;
  }
  s.error = Status::NotFound(
      "the libtorch backend plugin (" + std::string(kTorchPluginFile) +
      ") is missing; looked for:" + Describe(tried, why) + kHint);
}

}  // namespace

std::vector<fs::path> TorchPluginCandidates() {
  if (const char* env = std::getenv("CRATEDIG_TORCH_PLUGIN");
      env != nullptr && *env != '\0') {
    return {fs::path(env)};
  }
  std::vector<fs::path> out;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back(
        (exe.parent_path() / CRATEDIG_TORCH_PLUGIN_RELDIR / kTorchPluginFile)
            .lexically_normal());
    const fs::path built(CRATEDIG_TORCH_PLUGIN_BUILD_PATH);
    if (Inside(exe, CRATEDIG_BUILD_TREE) && built != out.front()) {
      out.push_back(built);
    }
  }
  return out;
}

Result<const TorchPluginApi*> LoadTorchPlugin() {
  PluginState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.tried) LoadLocked(s);
  if (s.api == nullptr) return s.error;
  return s.api;
}

void SetTorchPluginThreads(int threads) {
  PluginState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  s.threads = threads;
  if (s.api) s.api->set_threads(threads);
}

void SetTorchPluginDeterministic(bool on) {
  PluginState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  s.deterministic = on;
  if (s.api) s.api->set_deterministic(on);
}

}  // namespace cratedig::trainer
