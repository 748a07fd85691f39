// libFuzzer target for the peer (node-to-node) codec, engine/peer/peer_codec.h.
//
// The input is a byte stream as a peer node might send it on a link. It is fed through a
// PeerFrameReader in chunks whose sizes (and receive style: feed() or prepare()/commit()) come
// from the input's own bytes, read backwards from its end. Checked, aborting on any violation:
//  - the reader yields exactly the frames (and the final error) that protocol::split_frame gives,
//    with the kMaxPeerFrame limit, when run over the whole input at once;
//  - decoding a frame from the reader's view and from its whole wire bytes agree (both succeed,
//    or both fail with the same message);
//  - every decoded frame re-encodes to exactly its original bytes (the encoding is canonical),
//    and decoding that re-encoding and encoding again gives the identical bytes;
//  - the fields that are not on the wire come out as documented (origin unset, target empty).
// Sanitizers (address, undefined) catch reads past the frame and any undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "engine/peer/peer_codec.h"
#include "fuzz_support.h"

using namespace iris;
using namespace iris::peer;
using iris::cluster::kLocalNode;
using namespace fuzz_support;

const char fuzz_support::kTargetName[] = "fuzz_peer_decoder";

namespace {

void check_local_fields(const PeerFrame& f) {
  if (const auto* m = std::get_if<core::RouteMessage>(&f)) {
    if (m->origin != kLocalNode || !m->target.empty()) fail("ROUTE_MESSAGE local fields set");
  } else if (const auto* o = std::get_if<core::SendOutcome>(&f)) {
    if (o->origin != kLocalNode) fail("SEND_OUTCOME origin set");
  } else if (const auto* r = std::get_if<core::PresenceRequest>(&f)) {
    if (r->origin != kLocalNode) fail("PRESENCE_REQUEST origin set");
  }
}

// Re-encodes `decoded`, which came from the frame whose full wire bytes are `original`.
void check_round_trip(const PeerFrame& decoded, std::span<const std::uint8_t> original) {
  static protocol::Bytes first, second;
  first.clear();
  second.clear();
  encode_peer(first, decoded);
  if (!same_bytes(first, original)) fail("re-encoding differs from the original frame");
  auto again = decode_peer(std::span<const std::uint8_t>(first));
  if (!again.is_ok()) fail("re-encoding does not decode");
  if (again->index() != decoded.index()) fail("re-encoding decodes to another frame type");
  encode_peer(second, *again);
  if (!same_bytes(first, second)) fail("decode(encode(frame)) re-encodes differently");
  if (peer_frame_name(decoded) == nullptr) fail("no frame name");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);

  static std::vector<RefFrame> ref;
  const protocol::SplitStatus ref_end = split_reference(input, kMaxPeerFrame, ref);

  PeerFrameReader reader;
  std::size_t next_ref = 0;
  const PeerFrameReader::State state = feed_in_chunks(reader, input, [&] {
    PeerFrameView f;
    PeerFrameReader::State s;
    while ((s = reader.next(f)) == PeerFrameReader::State::kFrame) {
      if (next_ref >= ref.size()) fail("reader yields a frame split_frame does not");
      const RefFrame& rf = ref[next_ref++];
      const auto original = input.subspan(rf.offset, rf.size);
      if (f.type != original[4] || !same_bytes(f.body, original.subspan(protocol::kHeaderSize)))
        fail("reader frame differs from split_frame's");

      auto from_view = decode_peer(f);
      auto from_bytes = decode_peer(original);
      if (from_view.is_ok() != from_bytes.is_ok()) fail("the two decode entry points disagree");
      if (!from_view.is_ok()) {
        if (from_view.status().message() != from_bytes.status().message())
          fail("the two decode entry points give different errors");
        if (from_view.status().code() != StatusCode::kInvalidArgument) fail("error code");
        continue;
      }
      check_local_fields(*from_view);
      check_round_trip(*from_view, original);
    }
    return s;
  });

  if (next_ref != ref.size()) fail("reader missed frames split_frame found");
  check_end_state(reader, state, ref_end);
  return 0;
}
