// The tiny-dnn backend (trainer/backend.h): the seed network in tiny-dnn,
// its conv/pool/ELU blocks replaced by our ConvPoolEluLayer (OpenBLAS).
// tiny-dnn-free header.
#pragma once

#include <memory>

#include "trainer/backend.h"

namespace cratedig::trainer {

// REQUIRES: spec.backend == kTinyDnn. Network "seed" only (InvalidArgument
// naming the alternatives otherwise).
Result<std::unique_ptr<Net>> CreateTinyDnnNet(const NetSpec& spec);

// Threads of our layers (OpenBLAS itself runs single-threaded; tiny-dnn's
// own loops use every core regardless).
void SetTinyDnnThreads(int threads);

}  // namespace cratedig::trainer
