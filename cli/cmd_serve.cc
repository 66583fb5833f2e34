// cratedig serve: the listening page (search, play, spectrogram,
// recommendations, map of all tracks) and its JSON API.
#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <thread>

#include "cli/context.h"
#include "cli/recommender_flags.h"
#include "recommender/server.h"

namespace cratedig::cli {

namespace {

struct ServeOptions {
  std::string db = "cratedig.db";
  recommender::ServerOptions server;
  int64_t run = 0;
  IndexFlags index;
};

Status RunServe(const ServeOptions& o, Context& ctx) {
  CRATEDIG_ASSIGN_OR_RETURN(recommender::IndexOptions io,
                            ToIndexOptions(o.index, o.db));
  std::optional<int64_t> run;
  if (o.run != 0) run = o.run;
  ProgressBar bar(ctx.BarOptions());
  CRATEDIG_ASSIGN_OR_RETURN(
      auto server, recommender::Server::Create(o.db, run, o.server, io,
                                               bar.Callback(), &ctx.cancel));
  bar.Finish();
  CRATEDIG_RETURN_IF_ERROR(server->Bind());
  if (o.server.host != "127.0.0.1" && o.server.host != "localhost" &&
      o.server.host != "::1") {
    fmt::print(stderr,
               "cratedig serve: listening on {}: reachable from other "
               "machines\n",
               o.server.host);
  }
  fmt::print("cratedig: serving model run {} at {}  (Ctrl-C to stop)\n",
             server->run_id(), server->url());
  std::fflush(stdout);
  // Ctrl-C sets ctx.cancel; the server then stops after requests in flight.
  return server->RunUntil(ctx.cancel);
}

}  // namespace

void RegisterServe(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Web page to search the catalogue, play previews, see spectrograms, "
      "recommendations and a map of all tracks");
  AddDbOption(cmd, o->db);
  cmd->add_option("--port", o->server.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--host", o->server.host,
                  "Address to listen on (loopback by default; anything else "
                  "exposes the page to the network)")
      ->capture_default_str();
  cmd->add_option("--run", o->run,
                  "Model run (0: the newest run with embeddings)")
      ->capture_default_str();
  cmd->add_option("-k", o->server.default_k, "Recommendations shown per track")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  AddIndexFlags(cmd, o->index);
  cmd->callback([o, &ctx] {
    Status st = RunServe(*o, ctx);
    ctx.exit_code = st.ok() ? 0 : Fail("serve", st);
  });
}

}  // namespace cratedig::cli
