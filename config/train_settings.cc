#include "config/train_settings.h"

#include <filesystem>
#include <utility>

namespace cratedig::config {

void TrainSettings::Read(TomlReader& r) {
  r.Read("backend", backend);
  r.Read("network", network);
  r.Read("optimizer", optimizer);
  r.Read("weight_decay", weight_decay);
  r.Read("schedule", schedule);
  r.Read("label_smoothing", label_smoothing);
  r.Read("shift_columns", shift_columns);
  r.Read("time_masks", time_masks);
  r.Read("mask_columns", mask_columns);
  r.Read("freq_masks", freq_masks);
  r.Read("mask_rows", mask_rows);
  r.Read("mixup_alpha", mixup_alpha);
  r.Read("normalize", normalize);
  r.Read("aggregate", aggregate);
  r.Read("learning_rate", learning_rate);
  r.Read("batch_size", batch_size);
  r.Read("epochs", epochs);
  r.Read("patience", patience);
  r.Read("seed", seed);
  r.Read("threads", threads);
  r.Read("deterministic", deterministic);
  r.Read("tile_cache", tile_cache);
  r.Read("prefetch_batches", prefetch_batches);
  r.Read("eval_batch_size", eval_batch_size);
  r.Read("dataset", dataset);
  r.Read("runs_dir", runs_dir);
}

void TrainSettings::Validate(TomlReader& r) {
  if (backend != "auto" && backend != "libtorch" && backend != "tiny-dnn") {
    r.Fail("backend",
           "expected \"libtorch\", \"tiny-dnn\" or \"auto\", got \"" + backend +
               "\"");
  }
  if (network != "seed" && network != "bn") {
    r.Fail("network", "expected \"seed\" or \"bn\", got \"" + network + "\"");
  }
  if (optimizer != "rmsprop" && optimizer != "adam" && optimizer != "adamw") {
    r.Fail("optimizer", "expected \"rmsprop\", \"adam\" or \"adamw\", got \"" +
                            optimizer + "\"");
  }
  if (!(weight_decay >= 0 && weight_decay < 1)) {
    r.Fail("weight_decay", "expected a number in [0, 1)");
  } else if (weight_decay > 0 && optimizer != "adamw") {
    r.Fail("weight_decay", "only optimizer = \"adamw\" uses weight decay");
  }
  if (schedule != "constant" && schedule != "cosine" &&
      schedule != "onecycle") {
    r.Fail("schedule",
           "expected \"constant\", \"cosine\" or \"onecycle\", got \"" +
               schedule + "\"");
  }
  if (!(label_smoothing >= 0 && label_smoothing < 0.5)) {
    r.Fail("label_smoothing", "expected a number in [0, 0.5)");
  }
  for (auto [key, v] :
       {std::pair<const char*, int>{"shift_columns", shift_columns},
        {"time_masks", time_masks},
        {"mask_columns", mask_columns},
        {"freq_masks", freq_masks},
        {"mask_rows", mask_rows}}) {
    if (v < 0 || v > 4096) r.Fail(key, "expected an integer in 0..4096");
  }
  if (time_masks > 0 && mask_columns == 0) {
    r.Fail("mask_columns", "time_masks > 0 needs mask_columns > 0");
  }
  if (freq_masks > 0 && mask_rows == 0) {
    r.Fail("mask_rows", "freq_masks > 0 needs mask_rows > 0");
  }
  if (!(mixup_alpha >= 0 && mixup_alpha <= 10)) {
    r.Fail("mixup_alpha", "expected a number in [0, 10] (0: off)");
  }
  if (normalize != "none" && normalize != "per_frequency") {
    r.Fail("normalize",
           "expected \"none\" or \"per_frequency\", got \"" + normalize + "\"");
  }
  if (aggregate != "mean" && aggregate != "l2_mean") {
    r.Fail("aggregate",
           "expected \"mean\" or \"l2_mean\", got \"" + aggregate + "\"");
  }
  // No upper bound: a huge rate is a legal (if silly) choice, and the
  // trainer's NaN detection is what reports it.
  if (!(learning_rate > 0)) r.Fail("learning_rate", "expected a number > 0");
  if (batch_size < 1 || batch_size > 4096) {
    r.Fail("batch_size", "expected an integer in 1..4096");
  }
  if (epochs < 1 || epochs > 10000) {
    r.Fail("epochs", "expected an integer in 1..10000");
  }
  if (patience < 0) r.Fail("patience", "expected >= 0 (0: never stop early)");
  if (threads < 0 || threads > 1024) {
    r.Fail("threads", "expected 0 (all cores) or 1..1024");
  }
  if (prefetch_batches < 1 || prefetch_batches > 64) {
    r.Fail("prefetch_batches", "expected an integer in 1..64");
  }
  if (eval_batch_size < 1 || eval_batch_size > 4096) {
    r.Fail("eval_batch_size", "expected an integer in 1..4096");
  }
  if (runs_dir.empty()) r.Fail("runs_dir", "expected a folder path");
}

std::string TrainSettings::ToToml() const {
  toml::table t;
  t.insert("backend", backend);
  t.insert("network", network);
  t.insert("optimizer", optimizer);
  t.insert("weight_decay", weight_decay);
  t.insert("schedule", schedule);
  t.insert("label_smoothing", label_smoothing);
  t.insert("shift_columns", shift_columns);
  t.insert("time_masks", time_masks);
  t.insert("mask_columns", mask_columns);
  t.insert("freq_masks", freq_masks);
  t.insert("mask_rows", mask_rows);
  t.insert("mixup_alpha", mixup_alpha);
  t.insert("normalize", normalize);
  t.insert("aggregate", aggregate);
  t.insert("learning_rate", learning_rate);
  t.insert("batch_size", batch_size);
  t.insert("epochs", epochs);
  t.insert("patience", patience);
  t.insert("seed", seed);
  t.insert("threads", threads);
  t.insert("deterministic", deterministic);
  t.insert("tile_cache", tile_cache);
  t.insert("prefetch_batches", prefetch_batches);
  t.insert("eval_batch_size", eval_batch_size);
  t.insert("dataset", dataset);
  t.insert("runs_dir", runs_dir);
  return ToTomlString(t);
}

std::string TrainSettings::ResolvedRunsDir(const std::string& db_path) const {
  namespace fs = std::filesystem;
  const fs::path dir(runs_dir);
  if (dir.is_absolute()) return dir.string();
  return fs::absolute(fs::path(db_path).parent_path() / dir)
      .lexically_normal()
      .string();
}

}  // namespace cratedig::config
