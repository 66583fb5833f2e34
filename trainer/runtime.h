// Process-wide settings the CNN backends need to run at full speed.
#pragma once

namespace cratedig::trainer {

// Sets the backends' threads (0: all cores; Debian's libtorch otherwise
// uses 1), raises glibc's mmap threshold to its maximum (INT_MAX bytes) and
// turns heap trimming off, so freed batch buffers are reused instead of
// returned to the kernel and faulted in again page by page (~16 us per 4 KiB
// page here). A finite trim threshold is not enough: the seed network at
// batch 128 peaks near 2.9 GB of heap, so a 1 GiB threshold still handed
// ~1.3 GB back to the kernel after every step (3x slower). Also quiets
// OpenCV's warnings about unreadable tiles (the trainer counts them). Call it
// first, before any tensor is made. Returns the thread count in use.
int TuneRuntime(int threads);

}  // namespace cratedig::trainer
