// cratedig demo: the whole pipeline on an in-process sample store, then the
// listening page. The README's first command (scripts/demo) runs it.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cli/context.h"
#include "demo/demo.h"
#include "recommender/server.h"

namespace cratedig::cli {

namespace {

struct DemoCliOptions {
  demo::DemoOptions demo;
  bool no_serve = false;
  int port = 8080;
  std::string host = "127.0.0.1";
};

Status RunDemoCommand(const DemoCliOptions& o, Context& ctx) {
  ProgressBar bar(ctx.BarOptions());
  auto say = [&](const std::string& text) {
    bar.Finish();
    fmt::print("{}\n", text);
    std::fflush(stdout);
  };
  CRATEDIG_ASSIGN_OR_RETURN(
      demo::DemoReport r,
      demo::RunDemo(o.demo, bar.Callback(), say, &ctx.cancel));
  fmt::print("demo done in {:.0f} s: database {}, model run {}\n", r.seconds,
             r.db_path, r.run_id);
  if (o.no_serve) return Status::Ok();

  recommender::ServerOptions so;
  so.host = o.host;
  so.port = o.port;
  CRATEDIG_ASSIGN_OR_RETURN(
      auto server, recommender::Server::Create(r.db_path, r.run_id, so, {}, {},
                                               &ctx.cancel));
  CRATEDIG_RETURN_IF_ERROR(server->Bind());
  fmt::print("listening page: {}  (Ctrl-C to stop)\n", server->url());
  std::fflush(stdout);
  return server->RunUntil(ctx.cancel);
}

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<DemoCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "The whole pipeline on the built-in sample store: store, crawl, "
      "download, dataset, train, evaluate, embed, recommendations, then the "
      "listening page");
  demo::DemoOptions& d = o->demo;
  cmd->add_option("--workdir", d.workdir,
                  "Folder for the database, previews, tiles and runs "
                  "(replaced on each run)")
      ->capture_default_str();
  cmd->add_option("--config", d.site_config, "Site profile of the sample store")
      ->capture_default_str();
  cmd->add_option("--dataset-config", d.dataset_config, "Dataset settings")
      ->capture_default_str();
  cmd->add_option("--train-config", d.train_config, "Training settings")
      ->capture_default_str();
  cmd->add_option("--seed", d.store_seed, "Sample-store seed")
      ->capture_default_str();
  cmd->add_option("--tracks-per-genre", d.tracks_per_genre,
                  "Sample-store tracks per parent genre")
      ->capture_default_str()
      ->check(CLI::Range(4, 1000));
  cmd->add_option("--preview-seconds", d.preview_seconds,
                  "Length of each preview")
      ->capture_default_str()
      ->check(CLI::Range(6.0, 120.0));
  cmd->add_option("--delay", d.delay, "Per-host crawl delay, seconds")
      ->capture_default_str();
  cmd->add_option("--epochs", d.epochs, "Training epochs at most")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--network", d.network, "seed or bn")
      ->capture_default_str()
      ->check(CLI::IsMember({"seed", "bn"}));
  cmd->add_option("--backend", d.backend,
                  "CNN library: libtorch, tiny-dnn or auto (default: the "
                  "train config's)")
      ->check(CLI::IsMember({"libtorch", "tiny-dnn", "auto"}));
  cmd->add_option("--threads", d.threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  cmd->add_option("-k", d.k, "Recommendations per example")
      ->capture_default_str();
  cmd->add_flag("--no-serve", o->no_serve,
                "Stop after the example recommendations (for scripts)");
  cmd->add_option("--port", o->port, "Port of the listening page")
      ->capture_default_str();
  cmd->add_option("--host", o->host, "Address of the listening page")
      ->capture_default_str();
  cmd->callback([o, &ctx] {
    Status st = RunDemoCommand(*o, ctx);
    ctx.exit_code = st.ok() ? 0 : Fail("demo", st);
  });
}

}  // namespace cratedig::cli
