// Runs the cratedig binary with arguments and captures its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace cratedig::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline std::string CratedigBinary() {
  return std::string(CRATEDIG_BINARY_DIR) + "/cli/cratedig";
}

// `args` is passed through the shell: quote anything with spaces.
inline CommandResult RunCratedig(const std::string& args) {
  std::string cmd = CratedigBinary() + " " + args + " 2>&1";
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.output.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace cratedig::testing
