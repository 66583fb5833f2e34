// Which tracks go into a dataset, and which split each one lands in.
//
// Both decisions are seeded and stable: a track's place in line is
// OrderKey(seed, store_id), a hash of the store's own id, so it never
// depends on database ids, crawl order or what else is in the catalogue.
// Tracks already in a dataset are never moved or dropped; new tracks of a
// parent genre are dealt, in OrderKey order, to the split furthest below its
// target fraction of that genre (ties: train, val, holdout). That keeps every
// genre's split sizes within one track of 65/25/10 (stratified) while
// adding tracks later never changes an existing track's split.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/dataset_settings.h"

namespace cratedig::dataset {

inline constexpr const char* kSplitNames[] = {"train", "val", "holdout"};

// A uniformly spread 64-bit key from SHA-256(seed, store_id).
uint64_t OrderKey(int64_t seed, const std::string& store_id);

struct Candidate {
  int64_t track_id = 0;
  std::string store_id;
  std::string parent_genre;
};

// genre -> split name -> tracks already in the dataset.
using SplitCounts = std::map<std::string, std::map<std::string, int64_t>>;

// Keeps at most s.tracks_per_genre tracks per genre counting those already
// in the dataset (0: keep all), preferring the lowest OrderKey. Returns the
// kept candidates sorted by (genre, OrderKey).
std::vector<Candidate> SelectCandidates(std::vector<Candidate> pending,
                                        const SplitCounts& existing,
                                        const config::DatasetSettings& s);

// track_id -> split name for every pending candidate (see the top).
std::map<int64_t, std::string> AssignSplits(
    const std::vector<Candidate>& pending, const SplitCounts& existing,
    const config::DatasetSettings& s);

}  // namespace cratedig::dataset
