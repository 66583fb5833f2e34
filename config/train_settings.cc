#include "config/train_settings.h"

#include <filesystem>

namespace cratedig::config {

void TrainSettings::Read(TomlReader& r) {
  r.Read("backend", backend);
  r.Read("network", network);
  r.Read("optimizer", optimizer);
  r.Read("learning_rate", learning_rate);
  r.Read("batch_size", batch_size);
  r.Read("epochs", epochs);
  r.Read("patience", patience);
  r.Read("seed", seed);
  r.Read("threads", threads);
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
  if (optimizer != "rmsprop" && optimizer != "adam") {
    r.Fail("optimizer",
           "expected \"rmsprop\" or \"adam\", got \"" + optimizer + "\"");
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
  t.insert("learning_rate", learning_rate);
  t.insert("batch_size", batch_size);
  t.insert("epochs", epochs);
  t.insert("patience", patience);
  t.insert("seed", seed);
  t.insert("threads", threads);
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
