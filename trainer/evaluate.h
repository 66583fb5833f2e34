// EvaluateRun: a finished run on its dataset's holdout split.
//
// Stores the result with the run: metrics["evaluation"] (JSON, other
// members kept) and "<checkpoint folder>/confusion.png".
#pragma once

#include <cstdint>

#include "core/progress.h"
#include "db/database.h"
#include "trainer/evaluation.h"

namespace cratedig::trainer {

struct EvaluateOptions {
  std::string split = "holdout";  // Default: "holdout".
  int batch_size = 0;             // Default: 0, the run's eval_batch_size.
};

Result<Evaluation> EvaluateRun(db::Database& db, int64_t run_id,
                               const EvaluateOptions& options,
                               const ProgressFn& progress,
                               const CancelFlag* cancel);

}  // namespace cratedig::trainer
