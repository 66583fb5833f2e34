// cratedig samplestore: serve the deterministic sample store on 127.0.0.1
// until Ctrl-C.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cli/context.h"
#include "core/files.h"
#include "samplestore/sample_store.h"

namespace cratedig::cli {

namespace {

struct SampleStoreCli {
  samplestore::StoreOptions store;
  std::string dump_catalogue;
};

Status RunSampleStore(const SampleStoreCli& o, Context& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<samplestore::SampleStore> store;
  {
    ProgressBar bar(ctx.BarOptions());
    CRATEDIG_ASSIGN_OR_RETURN(
        store, samplestore::SampleStore::Start(o.store, bar.Callback()));
    bar.Finish();
  }
  // First line on stdout, so scripts can read the port.
  fmt::print("listening on {}\n", store->base_url());
  std::fflush(stdout);
  const auto& cat = store->catalogue();
  int tracks = 0, previews = 0;
  for (const auto& r : cat.releases) {
    for (const auto& t : r.tracks) {
      ++tracks;
      previews += t.has_preview;
    }
  }
  if (!ctx.quiet) {
    fmt::print(
        stderr,
        "samplestore: seed {}, {} releases, {} tracks, {} previews of "
        "{} s, built in {:.1f} s; Ctrl-C stops\n",
        o.store.seed, cat.releases.size(), tracks, previews,
        o.store.preview_seconds,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count());
  }
  if (!o.dump_catalogue.empty()) {
    CRATEDIG_RETURN_IF_ERROR(WriteFileAtomic(o.dump_catalogue, cat.ToJson()));
  }
  while (!ctx.cancel.stop()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  store->Stop();
  if (!ctx.quiet) {
    fmt::print(stderr, "samplestore: stopped after {} requests\n",
               store->requests());
  }
  return Status::Ok();
}

}  // namespace

void RegisterSampleStore(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SampleStoreCli>();
  o->store.port = 8080;  // configs/samplestore.toml's base_url
  CLI::App* cmd = app.add_subcommand(
      "samplestore",
      "Serve the deterministic sample store (generated catalogue, pages and "
      "mp3 previews, optional faults) on 127.0.0.1 until Ctrl-C");
  cmd->add_option("--port", o->store.port, "Port; 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--seed", o->store.seed, "Catalogue and audio seed")
      ->capture_default_str();
  cmd->add_option("--tracks-per-genre", o->store.tracks_per_genre,
                  "Tracks per parent genre")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--preview-seconds", o->store.preview_seconds,
                  "Length of every mp3 preview")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--items-per-page", o->store.items_per_page,
                  "Releases per listing page")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", o->store.threads,
                  "Threads generating audio; 0 = all cores")
      ->capture_default_str();
  cmd->add_option("--faults", o->store.faults_file,
                  "Faults TOML (see configs/faults.toml); none by default")
      ->capture_default_str();
  cmd->add_option("--request-log", o->store.request_log,
                  "Append one line per request: time, method, path, user "
                  "agent, status (tab-separated)")
      ->capture_default_str();
  cmd->add_option("--dump-catalogue", o->dump_catalogue,
                  "Write the ground truth (releases, tracks, faults) as JSON")
      ->capture_default_str();
  cmd->callback([o, &ctx] {
    Status st = RunSampleStore(*o, ctx);
    ctx.exit_code = st.ok() ? 0 : Fail("samplestore", st);
  });
}

}  // namespace cratedig::cli
