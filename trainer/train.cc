#include "trainer/train.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>

#include "core/files.h"
#include "core/json.h"
#include "trainer/networks.h"
#include "trainer/tile_loader.h"
#include "trainer/tile_source.h"

namespace cratedig::trainer {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Training tiles whose statistics a batch-norm network's running averages
// are re-estimated from after each epoch: enough for stable means and
// variances, and ~1/6 of an epoch's cost on the demo's 1,075 tiles.
constexpr int64_t kBatchNormTiles = 1024;

// What a checkpoint holds besides the network and the optimizer.
struct LoopState {
  int64_t epoch = 0;  // epochs completed
  double best_val_loss = std::numeric_limits<double>::infinity();
  double best_val_acc = 0;
  int64_t best_epoch = 0;
  int64_t bad_epochs = 0;  // epochs since the best
};

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(
    const config::TrainSettings& s, NetImpl& net) {
  if (s.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(
        net.parameters(), torch::optim::AdamOptions(s.learning_rate).eps(1e-7));
  }
  // Keras' RMSprop (the original's): rho 0.9, epsilon 1e-7.
  return std::make_unique<torch::optim::RMSprop>(
      net.parameters(),
      torch::optim::RMSpropOptions(s.learning_rate).alpha(0.9).eps(1e-7));
}

Status SaveCheckpoint(const fs::path& path, NetImpl& net,
                      torch::optim::Optimizer& opt, const LoopState& st) {
  const fs::path tmp = path.string() + ".tmp";
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model, optim;
    net.save(model);
    opt.save(optim);
    archive.write("model", model);
    archive.write("optimizer", optim);
    archive.write("epoch", torch::IValue(st.epoch));
    archive.write("best_val_loss", torch::IValue(st.best_val_loss));
    archive.write("best_val_acc", torch::IValue(st.best_val_acc));
    archive.write("best_epoch", torch::IValue(st.best_epoch));
    archive.write("bad_epochs", torch::IValue(st.bad_epochs));
    auto gen = at::detail::getDefaultCPUGenerator();
    torch::Tensor rng;
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      rng = gen.get_state();
    }
    archive.write("rng", torch::IValue(rng));
    archive.save_to(tmp.string());
  } catch (const std::exception& e) {
    return Status::IoError("cannot write checkpoint " + tmp.string() + ": " +
                           std::string(e.what()).substr(0, 300));
  }
  return CommitTempFile(tmp, path);
}

Status LoadCheckpoint(const fs::path& path, NetImpl& net,
                      torch::optim::Optimizer& opt, LoopState* st) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    torch::serialize::InputArchive model, optim;
    archive.read("model", model);
    net.load(model);
    ToChannelsLast(net);
    archive.read("optimizer", optim);
    opt.load(optim);
    torch::IValue v;
    archive.read("epoch", v);
    st->epoch = v.toInt();
    archive.read("best_val_loss", v);
    st->best_val_loss = v.toDouble();
    archive.read("best_val_acc", v);
    st->best_val_acc = v.toDouble();
    archive.read("best_epoch", v);
    st->best_epoch = v.toInt();
    archive.read("bad_epochs", v);
    st->bad_epochs = v.toInt();
    archive.read("rng", v);
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(v.toTensor());
  } catch (const std::exception& e) {
    return Status::Corrupt("cannot resume from checkpoint " + path.string() +
                           ": " + std::string(e.what()).substr(0, 300));
  }
  return Status::Ok();
}

Result<db::ModelRunRecord> FindRunToResume(db::ModelRunsTable& runs,
                                           int64_t id) {
  if (id > 0) {
    CRATEDIG_ASSIGN_OR_RETURN(auto r, runs.Get(id));
    if (!r) return Status::NotFound("no model run " + std::to_string(id));
    if (r->status == "done") {
      return Status::InvalidArgument("model run " + std::to_string(id) +
                                     " is already done");
    }
    return *r;
  }
  CRATEDIG_ASSIGN_OR_RETURN(auto all, runs.List());
  for (auto& r : all) {
    if (r.status != "done") return r;
  }
  return Status::NotFound("no unfinished model run to resume");
}

struct EpochStats {
  double loss = 0, acc = 0;
  int64_t tiles = 0;
  double seconds = 0;
};

// Marks the run failed/stopped; keeps the caller's error.
Status EndRun(db::ModelRunsTable& runs, db::ModelRunRecord& run,
              const std::string& status, Status why) {
  run.status = status;
  run.finished_at = db::NowMs();
  Status st = runs.Update(run);
  (void)st;  // the training error is the one worth reporting
  return why;
}

}  // namespace

Result<TrainReport> Train(db::Database& db,
                          const config::TrainSettings& settings,
                          const TrainOptions& options,
                          const ProgressFn& progress,
                          const CancelFlag* cancel) {
  const auto t0 = Clock::now();
  config::TrainSettings s = settings;
  db::ModelRunsTable runs(db);
  db::ModelRunRecord run;
  db::DatasetRecord dataset;
  if (options.resume) {
    CRATEDIG_ASSIGN_OR_RETURN(run,
                              FindRunToResume(runs, options.resume_run_id));
    CRATEDIG_ASSIGN_OR_RETURN(
        s, config::ParseConfig<config::TrainSettings>(
               run.config, "config of model run " + std::to_string(run.id)));
    s.threads = settings.threads;
    CRATEDIG_ASSIGN_OR_RETURN(dataset, ResolveDataset(db, run.dataset_hash));
    if (dataset.hash != run.dataset_hash) {
      return Status::NotFound("dataset " + run.dataset_hash + " of run " +
                              std::to_string(run.id) + " is gone");
    }
    run.status = "running";
    run.finished_at.reset();
    CRATEDIG_RETURN_IF_ERROR(runs.Update(run));
  } else {
    CRATEDIG_ASSIGN_OR_RETURN(dataset, ResolveDataset(db, s.dataset));
    run.dataset_hash = dataset.hash;
    run.network = s.network;
    run.config = s.ToToml();
    run.status = "running";
    CRATEDIG_ASSIGN_OR_RETURN(run.id, runs.Create(run));
  }

  TrainReport report;
  report.run_id = run.id;
  report.dataset_hash = dataset.hash;
  CRATEDIG_ASSIGN_OR_RETURN(TileGeometry geom, DatasetGeometry(dataset));
  int64_t unl_train = 0, unl_val = 0;
  CRATEDIG_ASSIGN_OR_RETURN(auto train,
                            LoadTiles(db, dataset, "train", true, &unl_train));
  CRATEDIG_ASSIGN_OR_RETURN(auto val,
                            LoadTiles(db, dataset, "val", true, &unl_val));
  report.train_tiles = static_cast<int64_t>(train.size());
  report.val_tiles = static_cast<int64_t>(val.size());
  report.unlabelled_tiles = unl_train + unl_val;
  if (train.empty() || val.empty()) {
    return EndRun(
        runs, run, "failed",
        Status::InvalidArgument(fmt::format(
            "dataset {} has {} labelled train and {} val tiles; need both",
            dataset.hash, train.size(), val.size())));
  }

  std::error_code ec;
  const fs::path dir =
      fs::absolute(fs::path(s.runs_dir) / ("run-" + std::to_string(run.id)));
  fs::create_directories(dir, ec);
  if (ec) {
    return EndRun(
        runs, run, "failed",
        Status::IoError("cannot create " + dir.string() + ": " + ec.message()));
  }
  const fs::path last = dir / "last.pt", best = dir / "best.pt";

  torch::manual_seed(static_cast<uint64_t>(s.seed));
  auto made = MakeNet(s.network, NumClasses(), geom.height, geom.width);
  if (!made.ok()) return EndRun(runs, run, "failed", made.status());
  std::shared_ptr<NetImpl> net = *made;
  auto opt = MakeOptimizer(s, *net);
  LoopState st;
  if (options.resume && fs::exists(last)) {
    Status ls = LoadCheckpoint(last, *net, *opt, &st);
    if (!ls.ok()) return EndRun(runs, run, "failed", ls);
  }
  report.first_epoch = static_cast<int>(st.epoch) + 1;

  std::set<int64_t> corrupt;  // tile ids, over all epochs and both splits
  auto note_corrupt = [&](const TileLoader& l,
                          const std::vector<TileItem>& items) {
    for (size_t i : l.corrupt_items()) corrupt.insert(items[i].tile_id);
  };
  const bool already_stopped = s.patience > 0 && st.bad_epochs >= s.patience;
  for (int epoch = static_cast<int>(st.epoch) + 1;
       epoch <= s.epochs && !already_stopped; ++epoch) {
    const std::string tag = fmt::format("epoch {}/{}", epoch, s.epochs);
    // ---- train ----
    net->train();
    LoaderOptions lo;
    lo.batch_size = s.batch_size;
    lo.shuffle = true;
    // A fresh order per epoch that a resumed run reproduces.
    lo.seed = static_cast<uint64_t>(s.seed) * 1000003ULL + epoch;
    lo.prefetch = s.prefetch_batches;
    lo.height = geom.height;
    lo.width = geom.width;
    EpochStats tr;
    const auto te = Clock::now();
    {
      TileLoader loader(train, lo);
      double loss_sum = 0;
      int64_t correct = 0;
      int batch_no = 0;
      while (auto b = loader.Next()) {
        ++batch_no;
        if (cancel != nullptr && cancel->stop()) {
          return EndRun(
              runs, run, "stopped",
              Status::Cancelled(fmt::format(
                  "training of run {} stopped in epoch {}; continue with "
                  "`cratedig train --resume`",
                  run.id, epoch)));
        }
        torch::Tensor x = torch::from_blob(
            b->pixels.data(), {b->n, 1, b->height, b->width}, torch::kFloat32);
        torch::Tensor y =
            torch::from_blob(b->labels.data(), {b->n}, torch::kInt64);
        opt->zero_grad();
        auto [logits, emb] = net->Forward(x);
        torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
        const double lv = loss.item<double>();
        if (!std::isfinite(lv)) {
          return EndRun(
              runs, run, "failed",
              Status::InvalidArgument(fmt::format(
                  "training diverged: the loss is {} in epoch {}, batch {} "
                  "(learning_rate {} with {}); lower learning_rate, or "
                  "check the tiles",
                  lv, epoch, batch_no, s.learning_rate, s.optimizer)));
        }
        loss.backward();
        opt->step();
        loss_sum += lv * b->n;
        correct += logits.argmax(1).eq(y).sum().item<int64_t>();
        tr.tiles += b->n;
        const double secs =
            std::chrono::duration<double>(Clock::now() - te).count();
        Report(progress,
               {"train " + tag, tr.tiles + loader.corrupt(),
                static_cast<int64_t>(train.size()), "tiles",
                fmt::format("loss {:.4f} acc {:.3f} {:.0f} tiles/s",
                            loss_sum / tr.tiles, double(correct) / tr.tiles,
                            secs > 0 ? tr.tiles / secs : 0.0)});
      }
      note_corrupt(loader, train);
      if (tr.tiles == 0) {
        return EndRun(runs, run, "failed",
                      Status::Corrupt("no train tile of dataset " +
                                      dataset.hash + " could be decoded"));
      }
      tr.loss = loss_sum / tr.tiles;
      tr.acc = double(correct) / tr.tiles;
      tr.seconds = std::chrono::duration<double>(Clock::now() - te).count();
    }
    // ---- batch-norm statistics for the weights as they now are ----
    // (see RecalibrateBatchNorm; a no-op for networks without batch norm).
    // A seeded sample of at most kBatchNormTiles training tiles, so a
    // resumed run recomputes the same statistics.
    {
      LoaderOptions bo = lo;
      bo.seed = lo.seed ^ 0x6e6f726dULL;
      std::unique_ptr<TileLoader> loader;  // made on first use only
      int64_t seen = 0;
      std::optional<Batch> b;
      RecalibrateBatchNorm(*net, [&]() -> std::optional<torch::Tensor> {
        if (!loader) loader = std::make_unique<TileLoader>(train, bo);
        if (seen >= kBatchNormTiles || !(b = loader->Next())) {
          return std::nullopt;
        }
        seen += b->n;
        Report(progress,
               {"batch-norm " + tag, seen,
                std::min<int64_t>(kBatchNormTiles, train.size()), "tiles", ""});
        return torch::from_blob(
            b->pixels.data(), {b->n, 1, b->height, b->width}, torch::kFloat32);
      });
    }
    // ---- validate ----
    EpochStats va;
    {
      net->eval();
      torch::NoGradGuard no_grad;
      LoaderOptions vo = lo;
      vo.shuffle = false;
      vo.batch_size = s.eval_batch_size;
      TileLoader loader(val, vo);
      double loss_sum = 0;
      int64_t correct = 0;
      while (auto b = loader.Next()) {
        if (cancel != nullptr && cancel->stop()) {
          return EndRun(runs, run, "stopped",
                        Status::Cancelled(fmt::format(
                            "training of run {} stopped in epoch {}; continue "
                            "with `cratedig train --resume`",
                            run.id, epoch)));
        }
        torch::Tensor x = torch::from_blob(
            b->pixels.data(), {b->n, 1, b->height, b->width}, torch::kFloat32);
        torch::Tensor y =
            torch::from_blob(b->labels.data(), {b->n}, torch::kInt64);
        auto [logits, emb] = net->Forward(x);
        loss_sum +=
            torch::nn::functional::cross_entropy(logits, y).item<double>() *
            b->n;
        correct += logits.argmax(1).eq(y).sum().item<int64_t>();
        va.tiles += b->n;
        Report(progress, {"val " + tag, va.tiles + loader.corrupt(),
                          static_cast<int64_t>(val.size()), "tiles", ""});
      }
      note_corrupt(loader, val);
      if (va.tiles == 0) {
        return EndRun(runs, run, "failed",
                      Status::Corrupt("no val tile of dataset " + dataset.hash +
                                      " could be decoded"));
      }
      va.loss = loss_sum / va.tiles;
      va.acc = double(correct) / va.tiles;
      if (!std::isfinite(va.loss)) {
        return EndRun(runs, run, "failed",
                      Status::InvalidArgument(fmt::format(
                          "training diverged: the validation loss is {} "
                          "after epoch {} (learning_rate {}); lower it",
                          va.loss, epoch, s.learning_rate)));
      }
    }
    // ---- the epoch's row, then early stopping state and checkpoints ----
    // The row goes first: a crash before last.pt is written redoes this
    // epoch on resume and replaces the row, so no completed epoch is
    // without one.
    db::EpochRecord rec;
    rec.run_id = run.id;
    rec.epoch = epoch;
    rec.train_loss = tr.loss;
    rec.train_acc = tr.acc;
    rec.val_loss = va.loss;
    rec.val_acc = va.acc;
    rec.seconds = std::chrono::duration<double>(Clock::now() - te).count();
    rec.tiles_per_s = tr.seconds > 0 ? tr.tiles / tr.seconds : 0;
    CRATEDIG_RETURN_IF_ERROR(runs.PutEpoch(rec));
    st.epoch = epoch;
    if (va.loss < st.best_val_loss) {
      st.best_val_loss = va.loss;
      st.best_val_acc = va.acc;
      st.best_epoch = epoch;
      st.bad_epochs = 0;
      Status bs = SaveCheckpoint(best, *net, *opt, st);
      if (!bs.ok()) return EndRun(runs, run, "failed", bs);
    } else {
      ++st.bad_epochs;
    }
    Status ls = SaveCheckpoint(last, *net, *opt, st);
    if (!ls.ok()) return EndRun(runs, run, "failed", ls);
    if (options.on_epoch) options.on_epoch(rec);
    if (s.patience > 0 && st.bad_epochs >= s.patience) {
      report.early_stopped = true;
      break;
    }
  }
  if (already_stopped) report.early_stopped = true;

  report.epochs_run = static_cast<int>(st.epoch);
  report.best_epoch = static_cast<int>(st.best_epoch);
  report.best_val_loss = st.best_val_loss;
  report.best_val_acc = st.best_val_acc;
  report.corrupt_tiles = static_cast<int64_t>(corrupt.size());
  report.checkpoint_path = best.string();
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  run.status = "done";
  run.checkpoint_path = report.checkpoint_path;
  run.finished_at = db::NowMs();
  json::Json training =
      json::Json({{"epochs", report.epochs_run},
                  {"best_epoch", report.best_epoch},
                  {"best_val_loss", report.best_val_loss},
                  {"best_val_acc", report.best_val_acc},
                  {"early_stopped", report.early_stopped},
                  {"train_tiles", report.train_tiles},
                  {"val_tiles", report.val_tiles},
                  {"unlabelled_tiles", report.unlabelled_tiles},
                  {"corrupt_tiles", report.corrupt_tiles}});
  CRATEDIG_ASSIGN_OR_RETURN(
      std::string metrics,
      json::SetMember(run.metrics.value_or(""), "training", training));
  run.metrics = metrics;
  CRATEDIG_RETURN_IF_ERROR(runs.Update(run));
  return report;
}

}  // namespace cratedig::trainer
