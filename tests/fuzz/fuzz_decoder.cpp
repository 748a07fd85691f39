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
#include <span>
#include <vector>

#include "engine/protocol/codec.h"
#include "fuzz_support.h"

using namespace iris::protocol;
using namespace fuzz_support;

const char fuzz_support::kTargetName[] = "fuzz_decoder";

namespace {

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);

  static std::vector<RefFrame> ref;
  const SplitStatus ref_end = split_reference(input, kMaxFrameLength, ref);

  FrameReader reader;
  std::size_t next_ref = 0;
  const FrameReader::State state = feed_in_chunks(reader, input, [&] {
    FrameView f;
    FrameReader::State s;
    while ((s = reader.next(f)) == FrameReader::State::kFrame) {
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
    return s;
  });

  if (next_ref != ref.size()) fail("reader missed frames split_frame found");
  check_end_state(reader, state, ref_end);
  return 0;
}
