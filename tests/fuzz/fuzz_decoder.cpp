// libFuzzer target for the protocol v1 codec.
//
// The input is a byte stream as a peer might send it. It is fed through a FrameReader in chunks
// whose sizes (and receive style: feed() or prepare()/commit()) come from the input's own bytes,
// read backwards from its end. Checked, aborting on any violation:
//  - the reader yields exactly the frames (and the final error) that split_frame gives when run
//    over the whole input at once;
//  - no frame decodes in both directions;
//  - every decoded frame re-encodes to exactly its original bytes (the encoding is canonical),
//    and decoding that re-encoding and encoding again gives the identical bytes.
// Sanitizers (address, undefined) catch reads past frame.body and any undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <variant>
#include <vector>

#include "engine/protocol/codec.h"

using namespace iris::protocol;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_decoder: %s\n", what);
  std::abort();
}

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// Re-encodes `decoded`, which came from `frame` (whose full wire bytes are `original`).
template <typename Frame, typename Decode>
void check_round_trip(const Frame& decoded, std::span<const std::uint8_t> original, Decode decode) {
  static Bytes first, second;
  first.clear();
  second.clear();
  encode(first, decoded);
  if (!same_bytes(first, original)) fail("re-encoding differs from the original frame");

  const SplitResult split = split_frame(first);
  if (split.status != SplitStatus::kFrame || split.consumed != first.size())
    fail("re-encoding does not split as one whole frame");
  auto again = decode(split.frame);
  if (!again.is_ok()) fail("re-encoding does not decode");
  encode(second, *again);
  if (!same_bytes(first, second)) fail("decode(encode(frame)) re-encodes differently");
}

struct RefFrame {
  std::size_t offset;  // of the header in the input
  std::size_t size;    // header + body
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);

  // Reference: split the whole input in one go.
  static std::vector<RefFrame> ref;
  ref.clear();
  SplitStatus ref_end = SplitStatus::kNeedMore;
  for (std::size_t pos = 0;;) {
    const SplitResult r = split_frame(input.subspan(pos));
    if (r.status != SplitStatus::kFrame) {
      ref_end = r.status;
      break;
    }
    if (r.consumed < kHeaderSize || r.consumed > input.size() - pos) fail("split_frame consumed");
    if (r.frame.body.data() != input.data() + pos + kHeaderSize) fail("split_frame body view");
    ref.push_back({pos, r.consumed});
    pos += r.consumed;
  }

  FrameReader reader;
  std::size_t next_ref = 0;
  FrameReader::State state = FrameReader::State::kNeedMore;
  for (std::size_t pos = 0, step = 0; pos < size && state != FrameReader::State::kError; ++step) {
    const std::uint8_t c = data[size - 1 - (step % size)];
    const std::size_t want = 1 + std::size_t{c & 0x3fu} * ((c & 0x40u) ? 61 : 1);  // 1..3844
    const std::size_t n = want < size - pos ? want : size - pos;
    if (c & 0x80u) {
      const auto dst = reader.prepare(n);
      if (dst.size() != n) fail("prepare size");
      std::memcpy(dst.data(), data + pos, n);
      reader.commit(n);
    } else {
      reader.feed(input.subspan(pos, n));
    }
    pos += n;

    FrameView f;
    while ((state = reader.next(f)) == FrameReader::State::kFrame) {
      if (next_ref >= ref.size()) fail("reader yields a frame split_frame does not");
      const RefFrame& rf = ref[next_ref++];
      const auto original = input.subspan(rf.offset, rf.size);
      if (static_cast<std::uint8_t>(f.type) != original[4] ||
          !same_bytes(f.body, original.subspan(kHeaderSize)))
        fail("reader frame differs from split_frame's");

      auto c_frame = decode_client(f);
      auto s_frame = decode_server(f);
      if (c_frame.is_ok() && s_frame.is_ok()) fail("frame decodes in both directions");
      if (c_frame.is_ok()) check_round_trip(*c_frame, original, decode_client);
      if (s_frame.is_ok()) check_round_trip(*s_frame, original, decode_server);
    }
  }

  if (next_ref != ref.size()) fail("reader missed frames split_frame found");
  switch (ref_end) {
    case SplitStatus::kNeedMore:
      if (state != FrameReader::State::kNeedMore) fail("reader state at end (need more)");
      break;
    case SplitStatus::kTooLarge:
      if (state != FrameReader::State::kError || reader.error() != ErrorCode::kFrameTooLarge)
        fail("reader state at end (too large)");
      break;
    case SplitStatus::kEmpty:
      if (state != FrameReader::State::kError || reader.error() != ErrorCode::kBadFrame)
        fail("reader state at end (empty frame)");
      break;
    case SplitStatus::kFrame:
      fail("unreachable");
  }
  return 0;
}
