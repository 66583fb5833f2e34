// Where a config file named on the command line is read from, so the
// shipped defaults ("configs/dataset.toml" ...) are found from any folder.
#pragma once

#include <string>
#include <vector>

namespace cratedig::config {

// The folders a relative config path is looked up in when it does not
// exist relative to the working folder, in order:
//   <folder of the running binary>/../share/cratedig   (installed: bin/..)
//   the install prefix's share/cratedig, compiled in
//   the source tree the binary was built from, compiled in
std::vector<std::string> ConfigSearchRoots();

// `path` when it exists as given (absolute, or relative to the working
// folder); otherwise, for a relative path, the first of
// ConfigSearchRoots()/<path> that exists; otherwise `path` unchanged (the
// read then reports it missing, naming the path the user gave).
std::string FindConfigFile(const std::string& path);

}  // namespace cratedig::config
