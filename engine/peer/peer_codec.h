#pragma once
// The peer (node-to-node) protocol, version 2: frames, encoder, decoder and stream reassembly.
// docs/cluster.md ("Peer protocol") is the normative text; this header mirrors it.
//
// Nodes exchange frames over one TCP link per pair of nodes, framed like the client protocol
//   u32 length (big-endian, counts type + body) | u8 type | body
// with its own opcode space and a larger limit (kMaxPeerFrame). Strings are length-prefixed like
// the client protocol's user ids (u8 length, then the bytes); payloads carry a u32 length.
//
// Decoding is owning (strings are copied out: decoded messages are moved into shards' mailboxes),
// never reads past its input, and rejects truncated bodies, trailing bytes, unknown types, bad
// enumerated values and over-limit strings with an error Status. Encoders append one whole frame;
// their fields must already be within the limits (asserted: a violation is a bug).

#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "engine/cluster/heartbeat.h"
#include "engine/cluster/view_frames.h"
#include "engine/common/status.h"
#include "engine/core/shard_message.h"
#include "engine/protocol/codec.h"

namespace iris::peer {

inline constexpr std::uint32_t kPeerProtocolVersion = 2;
inline constexpr std::uint32_t kMaxPeerFrame = 128 * 1024;  // type + body
static_assert(kMaxPeerFrame == cluster::kMaxViewFrame);
inline constexpr std::uint32_t kMaxClusterName = 64;        // PEER_HELLO cluster bytes (0..64)
inline constexpr std::uint32_t kMaxNodeId = 64;             // node id bytes (1..64)

enum class PeerFrameType : std::uint8_t {
  kPeerHello = 0x01,
  kHeartbeat = 0x02,
  kHeartbeatAck = 0x03,
  kRouteMessage = 0x04,
  kSendOutcome = 0x05,
  kPresenceRequest = 0x06,
  kPresenceNotice = 0x07,
  kViewPrepare = 0x08,
  kViewVote = 0x09,
  kViewCommit = 0x0A,
  kViewAbort = 0x0B,
  kViewQuery = 0x0C,
  kJoinRequest = 0x0D,
  kHandoverMessage = 0x0E,  // a core::RouteMessage with handover set
  kHandoverOutcome = 0x0F,  // a core::SendOutcome with a recipient
};

// First frame in both directions of a link: who is speaking, in which cluster.
struct PeerHello {
  std::uint32_t version = kPeerProtocolVersion;  // any value decodes; the link refuses others
  std::string cluster;                           // <= kMaxClusterName
  std::string node_id;                           // 1..kMaxNodeId
  std::uint64_t incarnation = 0;                 // changes each time the node process starts
  std::uint64_t epoch = 0;                       // the sender's cluster view epoch
};

using cluster::Heartbeat;  // engine/cluster/heartbeat.h: the failure detector's own frames
using cluster::HeartbeatAck;

// core::RouteMessage, core::SendOutcome, core::PresenceRequest and core::PresenceNotice travel as
// they are. Not on the wire: `origin` (decode leaves kLocalNode; the receiving driver sets it from
// the link) and RouteMessage::target (local only: decode leaves it empty, encode ignores it).
// A RouteMessage with `handover` set travels as HANDOVER_MESSAGE (the same layout), a SendOutcome
// with a `recipient` as HANDOVER_OUTCOME. The view-change frames are engine/cluster/view_frames.h.
using cluster::JoinRequest;
using cluster::ViewAbort;
using cluster::ViewCommit;
using cluster::ViewPrepare;
using cluster::ViewQuery;
using cluster::ViewVote;
using PeerFrame =
    std::variant<PeerHello, Heartbeat, HeartbeatAck, core::RouteMessage, core::SendOutcome,
                 core::PresenceRequest, core::PresenceNotice, ViewPrepare, ViewVote, ViewCommit,
                 ViewAbort, ViewQuery, JoinRequest>;

// A whole frame split off a link's byte stream: its type byte and its body (a view).
struct PeerFrameView {
  std::uint8_t type = 0;
  std::span<const std::uint8_t> body;
};

// Appends one whole frame (header included) to `out`.
void encode_peer(protocol::Bytes& out, const PeerFrame& frame);

// Decodes a frame split off by PeerFrameReader. An error Status (kInvalidArgument, with a reason
// naming the frame and the field) for: an unknown type, a truncated body, trailing bytes, a string
// or payload over its limit, an empty node id or user id, an enumerated value not listed.
Result<PeerFrame> decode_peer(const PeerFrameView& frame);
// Same, for `bytes` holding exactly one whole frame, header included. Also an error when the length
// field is 0, over kMaxPeerFrame, or does not match the size of `bytes`.
Result<PeerFrame> decode_peer(std::span<const std::uint8_t> bytes);

// The frame's type on the wire, and its name for logs ("PEER_HELLO", "ROUTE_MESSAGE", ...).
PeerFrameType peer_frame_type(const PeerFrame& frame);
const char* peer_frame_name(const PeerFrame& frame);
const char* to_string(PeerFrameType type);  // "UNKNOWN" for values not listed

// Stream reassembly for one link: protocol::FrameReader with the kMaxPeerFrame limit. A length
// field of 0 or over kMaxPeerFrame is an error (sticky) decided on the 4 length bytes alone, before
// any body byte is buffered. A frame's view stays valid until the next prepare()/feed()/next().
class PeerFrameReader {
 public:
  enum class State { kFrame, kNeedMore, kError };

  PeerFrameReader() : reader_(kMaxPeerFrame) {}

  std::span<std::uint8_t> prepare(std::size_t n) { return reader_.prepare(n); }
  void commit(std::size_t n) { reader_.commit(n); }
  void feed(std::span<const std::uint8_t> bytes) { reader_.feed(bytes); }

  State next(PeerFrameView& out);
  // Why the stream failed: kFrameTooLarge (length over kMaxPeerFrame) or kBadFrame (length 0).
  protocol::ErrorCode error() const { return reader_.error(); }
  std::size_t buffered() const { return reader_.buffered(); }

 private:
  protocol::FrameReader reader_;
};

}  // namespace iris::peer
