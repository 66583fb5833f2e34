// cratedig: one executable, one subcommand per stage. See README.md.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "cli/context.h"

int main(int argc, char** argv) {
  cratedig::cli::Context ctx;
  CLI::App app{
      "cratedig: finds tracks in a music store's back catalogue that sound "
      "like each other.\nPipeline: samplestore -> crawl -> download -> "
      "dataset build -> train -> evaluate -> embed -> recommend / serve"};
  app.name("cratedig");
  app.require_subcommand(1);
  app.set_version_flag("--version", "cratedig 0.1.0");
  app.add_flag("-v,--verbose", ctx.verbose, "More logging (repeatable)");
  app.add_flag("-q,--quiet", ctx.quiet, "Only warnings and errors");
  app.option_defaults()->always_capture_default();

  cratedig::cli::RegisterStatus(app, ctx);
  cratedig::cli::RegisterCrawl(app, ctx);
  cratedig::cli::RegisterDownload(app, ctx);
  cratedig::cli::RegisterDataset(app, ctx);
  cratedig::cli::RegisterRecommend(app, ctx);
  cratedig::cli::RegisterServe(app, ctx);
  cratedig::cli::RegisterTrain(app, ctx);
  cratedig::cli::RegisterSampleStore(app, ctx);
  cratedig::cli::RegisterDemo(app, ctx);
  cratedig::cli::RegisterExport(app, ctx);
  cratedig::cli::RegisterCompletion(app, ctx);

  app.parse_complete_callback([&] {
    spdlog::set_pattern("[%H:%M:%S.%e] %^%l%$ %v");
    spdlog::set_level(ctx.quiet         ? spdlog::level::warn
                      : ctx.verbose > 1 ? spdlog::level::trace
                      : ctx.verbose     ? spdlog::level::debug
                                        : spdlog::level::info);
    cratedig::cli::InstallSigintHandler(ctx);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // Usage errors exit 2 (help and version exit 0).
    return rc == 0 ? 0 : 2;
  }
  return ctx.exit_code;
}
