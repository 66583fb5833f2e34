// What every subcommand shares: global flags, logging, Ctrl-C, exit codes.
// The CLI is thin: it parses flags into a library's options struct, runs the
// library call with a ProgressBar callback, and prints the result.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/progress.h"
#include "core/progress_bar.h"
#include "core/status.h"

namespace cratedig::cli {

struct Context {
  int verbose = 0;     // -v (repeatable)
  bool quiet = false;  // -q: warnings and errors only, no progress
  int exit_code = 0;   // set by the subcommand that ran
  CancelFlag cancel;   // set by SIGINT (see InstallSigintHandler)

  ProgressBarOptions BarOptions() const {
    ProgressBarOptions o;
    o.quiet = quiet;
    return o;
  }
};

// Exit codes: 0 ok, 1 the job failed, 2 bad usage or config, 130 SIGINT.
int ExitCodeFor(const Status& st);
// Prints "cratedig <what>: <error>" to stderr and returns the exit code.
int Fail(const std::string& what, const Status& st);

// The first SIGINT sets ctx.cancel (library calls finish what is in flight
// and return Cancelled); a second one exits at once.
void InstallSigintHandler(Context& ctx);

// Adds --db PATH (default cratedig.db) to a subcommand. `creates`: the
// command creates a missing database (crawl); the others refuse one.
void AddDbOption(CLI::App* cmd, std::string& db, bool creates = false);

// Each subcommand registers itself with the app. The callback runs the
// command and stores its exit code in ctx.exit_code.
void RegisterStatus(CLI::App& app, Context& ctx);
void RegisterCrawl(CLI::App& app, Context& ctx);
void RegisterDownload(CLI::App& app, Context& ctx);
void RegisterDataset(CLI::App& app, Context& ctx);
void RegisterRecommend(CLI::App& app, Context& ctx);  // + evaluate-recs
void RegisterServe(CLI::App& app, Context& ctx);
void RegisterTrain(CLI::App& app, Context& ctx);  // + evaluate, embed
void RegisterSampleStore(CLI::App& app, Context& ctx);
void RegisterDemo(CLI::App& app, Context& ctx);
void RegisterExport(CLI::App& app, Context& ctx);
void RegisterCompletion(CLI::App& app, Context& ctx);  // last: sees all

}  // namespace cratedig::cli
