#include "trainer/runtime.h"

#include <malloc.h>

#include <limits>
#include <opencv2/core/utils/logger.hpp>

#include "trainer/backend.h"

namespace cratedig::trainer {

int TuneRuntime(int threads) {
  // Both calls return 0 on failure, which only costs speed: not worth an
  // error. -1 for the trim threshold is mallopt(3)'s documented "never".
  mallopt(M_MMAP_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TRIM_THRESHOLD, -1);
  // A corrupt tile is reported by the trainer (skipped and counted), not by
  // OpenCV on stderr.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  return SetBackendThreads(threads);
}

}  // namespace cratedig::trainer
