// crawler_bench_store: starts the sample store (faults off) on a free
// loopback port for bench/crawler/bench_crawl.py, prints
// "READY <base_url> <releases> <tracks>" and serves until stdin closes.
// Used when `cratedig samplestore` is not available.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "samplestore/sample_store.h"

int main(int argc, char** argv) {
  cratedig::samplestore::StoreOptions o;
  o.tracks_per_genre = argc > 1 ? std::atoi(argv[1]) : 200;
  o.preview_seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  o.seed = 7;
  auto store = cratedig::samplestore::SampleStore::Start(o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  size_t tracks = 0;
  for (const auto& r : (*store)->catalogue().releases)
    tracks += r.tracks.size();
  std::printf("READY %s %zu %zu\n", (*store)->base_url().c_str(),
              (*store)->catalogue().releases.size(), tracks);
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  (*store)->Stop();
  return 0;
}
