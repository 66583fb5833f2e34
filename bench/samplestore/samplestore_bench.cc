// Sample store benchmarks. Run:
//   build/bench/samplestore/samplestore_bench
// BM_SynthEncode30s/threads:N reports the time of one 30 s preview per
// thread (real time; items/s is previews per second over all threads).
// BM_BuildStore is Start() of the full default store (9 genres x 40 tracks
// + Techno, 30 s previews) on 2 threads, once.
#include <benchmark/benchmark.h>

#include "samplestore/catalogue.h"
#include "samplestore/mp3_encoder.h"
#include "samplestore/sample_store.h"
#include "samplestore/synth.h"

namespace cratedig::samplestore {
namespace {

const Catalogue& Cat() {
  static const Catalogue c = GenerateCatalogue(7, 40);
  return c;
}

void BM_Synthesize30s(benchmark::State& state) {
  const auto& styles = SynthStyles();
  size_t i = 0;
  for (auto _ : state) {
    StereoPcm pcm = SynthesizeTrack(7, styles[i % styles.size()],
                                    "bench-" + std::to_string(i), 128, 30);
    benchmark::DoNotOptimize(pcm.left.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Synthesize30s)->Unit(benchmark::kMillisecond);

void BM_EncodeMp3_30s(benchmark::State& state) {
  StereoPcm pcm = SynthesizeTrack(7, "Trance", "bench", 136, 30);
  Mp3Options o;
  o.quality = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto mp3 = EncodeMp3(pcm, o);
    if (!mp3.ok()) state.SkipWithError(mp3.status().ToString().c_str());
    benchmark::DoNotOptimize(mp3);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeMp3_30s)
    ->Arg(9)
    ->Arg(7)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

void BM_SynthEncode30s(benchmark::State& state) {
  const auto& rels = Cat().releases;
  size_t i = static_cast<size_t>(state.thread_index()) * 97;
  for (auto _ : state) {
    const ReleaseTruth& r = rels[i % rels.size()];
    auto mp3 = MakePreviewMp3(7, r, r.tracks[0], 30);
    if (!mp3.ok()) state.SkipWithError(mp3.status().ToString().c_str());
    benchmark::DoNotOptimize(mp3);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SynthEncode30s)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_BuildStore(benchmark::State& state) {
  for (auto _ : state) {
    StoreOptions o;
    o.threads = 2;
    auto store = SampleStore::Start(o);
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      break;
    }
    state.counters["previews"] = 0;
    for (const auto& r : (*store)->catalogue().releases) {
      for (const auto& t : r.tracks)
        state.counters["previews"] += t.has_preview;
    }
    (*store)->Stop();
  }
}
BENCHMARK(BM_BuildStore)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace cratedig::samplestore

BENCHMARK_MAIN();
