// Process-wide settings libtorch needs to run at full speed.
#pragma once

namespace cratedig::trainer {

// Sets libtorch's intra-op threads (0: all cores; Debian's build otherwise
// uses 1) and raises glibc's mmap and trim thresholds to 1 GiB, so freed
// batch buffers are reused instead of returned to the kernel and faulted in
// again page by page (~8x slower otherwise; see docs). Also quiets
// OpenCV's warnings about unreadable tiles (the trainer counts them). Call it
// first, before any tensor is made. Returns the thread count in use.
int TuneRuntime(int threads);

}  // namespace cratedig::trainer
