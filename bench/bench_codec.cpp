// Micro-benchmarks of the protocol v1 codec.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "engine/protocol/codec.h"

namespace {

using namespace iris::protocol;

std::vector<std::uint8_t> payload(std::size_t n) {
  std::vector<std::uint8_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return p;
}

// Encode one DELIVER with a 100-byte payload into a reused buffer.
void BM_EncodeDeliver100(benchmark::State& state) {
  const auto p = payload(100);
  const Deliver d{123456789, "alice@example", 42, 1700000000123456ull, p};
  Bytes out;
  out.reserve(256);
  for (auto _ : state) {
    out.clear();
    encode(out, d);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_EncodeDeliver100);

// Split one SEND (100-byte payload) off a buffer and decode it.
void BM_SplitDecodeSend(benchmark::State& state) {
  const auto p = payload(100);
  Bytes wire;
  encode(wire, Send{42, "bob", p});
  for (auto _ : state) {
    benchmark::DoNotOptimize(wire.data());
    const SplitResult r = split_frame(wire);
    if (r.status != SplitStatus::kFrame) std::abort();
    auto d = decode_client(r.frame);
    if (!d.is_ok()) std::abort();
    benchmark::DoNotOptimize(std::get<Send>(*d).payload.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SplitDecodeSend);

// FrameReader over a buffer of 1000 SEND frames (payload 0..199 bytes), fed in reads of
// state.range(0) bytes (0 = the whole buffer at once); every frame decoded.
void BM_FrameReaderThroughput(benchmark::State& state) {
  const auto p = payload(200);
  Bytes stream;
  for (std::uint64_t i = 0; i < 1000; ++i)
    encode(stream, Send{i + 1, "bob", std::span<const std::uint8_t>(p).first(i % 200)});
  const std::size_t chunk =
      state.range(0) == 0 ? stream.size() : static_cast<std::size_t>(state.range(0));
  FrameReader reader;
  std::uint64_t frames = 0;
  for (auto _ : state) {
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - pos);
      auto dst = reader.prepare(n);
      std::memcpy(dst.data(), stream.data() + pos, n);
      reader.commit(n);
      FrameView f;
      while (reader.next(f) == FrameReader::State::kFrame) {
        auto d = decode_client(f);
        if (!d.is_ok()) std::abort();
        benchmark::DoNotOptimize(d);
        ++frames;
      }
    }
  }
  if (frames != 1000 * static_cast<std::uint64_t>(state.iterations())) std::abort();
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_FrameReaderThroughput)->Arg(0)->Arg(4096)->Arg(64);

}  // namespace

BENCHMARK_MAIN();
