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

// Runs a shell command line; stderr is captured with stdout.
inline CommandResult RunShell(const std::string& command) {
  std::string cmd = command + " 2>&1";
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

// `args` is passed through the shell: quote anything with spaces. `env`:
// VAR=value assignments for this run only.
inline CommandResult RunCratedig(const std::string& args,
                                 const std::string& env = "") {
  return RunShell(env + " " + CratedigBinary() + " " + args);
}

}  // namespace cratedig::testing
