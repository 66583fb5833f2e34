#include "cli/context.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace cratedig::cli {

namespace {
Context* g_ctx = nullptr;  // only for the signal handler

void OnSigint(int) {
  if (g_ctx == nullptr || g_ctx->cancel.requested) {
    _exit(130);
  }
  g_ctx->cancel.requested = true;
  const char msg[] =
      "\ncratedig: stopping after the work in flight (Ctrl-C again to "
      "quit now)\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}
}  // namespace

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kCancelled:
      return 130;
    default:
      return 1;
  }
}

int Fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "cratedig %s: %s\n", what.c_str(),
               st.ToString().c_str());
  return ExitCodeFor(st);
}

void InstallSigintHandler(Context& ctx) {
  g_ctx = &ctx;
  struct sigaction sa {};
  sa.sa_handler = OnSigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

void AddDbOption(CLI::App* cmd, std::string& db, bool creates) {
  cmd->add_option("--db", db,
                  creates ? "SQLite database (created and migrated if new)"
                          : "SQLite database (must exist; `crawl` creates it)")
      ->capture_default_str();
}

}  // namespace cratedig::cli
