#include "config/config_path.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace cratedig::config {

namespace fs = std::filesystem;

namespace {

// The folder of the running binary; empty when /proc is not there.
fs::path ExeDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::vector<std::string> ConfigSearchRoots() {
  std::vector<std::string> roots;
  if (fs::path exe = ExeDir(); !exe.empty()) {
    roots.push_back((exe.parent_path() / "share" / "cratedig").string());
  }
#ifdef CRATEDIG_INSTALL_DATADIR
  roots.push_back(CRATEDIG_INSTALL_DATADIR);
#endif
#ifdef CRATEDIG_SOURCE_TREE
  roots.push_back(CRATEDIG_SOURCE_TREE);
#endif
  return roots;
}

std::string FindConfigFile(const std::string& path) {
  std::error_code ec;
  if (path.empty() || fs::exists(path, ec) || fs::path(path).is_absolute()) {
    return path;
  }
  for (const std::string& root : ConfigSearchRoots()) {
    fs::path candidate = fs::path(root) / path;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return path;
}

}  // namespace cratedig::config
