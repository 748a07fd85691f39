#include "engine/peer/peer_codec.h"

#include <cassert>
#include <type_traits>
#include <utility>

#include "engine/protocol/wire.h"

namespace iris::peer {

namespace {

namespace p = iris::protocol;

using p::wire::kLengthSize;
using p::wire::load32;

// ---- encoding ----

// One peer frame of `type`, its body body_len bytes (see wire::FrameWriter).
class Writer : public p::wire::FrameWriter {
 public:
  Writer(p::Bytes& out, PeerFrameType type, std::size_t body_len)
      : p::wire::FrameWriter(out, static_cast<std::uint8_t>(type), body_len, kMaxPeerFrame) {}
};

[[maybe_unused]] bool valid_user(const std::string& u) {
  return !u.empty() && u.size() <= p::kMaxUserId;
}

void encode_one(p::Bytes& out, const PeerHello& f) {
  assert(f.cluster.size() <= kMaxClusterName);
  assert(!f.node_id.empty() && f.node_id.size() <= kMaxNodeId);
  Writer w(out, PeerFrameType::kPeerHello, 4 + 1 + f.cluster.size() + 1 + f.node_id.size() + 8 + 8);
  w.u32(f.version);
  w.str8(f.cluster);
  w.str8(f.node_id);
  w.u64(f.incarnation);
  w.u64(f.epoch);
}

void encode_one(p::Bytes& out, const Heartbeat& f) {
  Writer w(out, PeerFrameType::kHeartbeat, 8 + 8 + 8);
  w.u64(f.seq);
  w.u64(f.sent_us);
  w.u64(f.epoch);
}

void encode_one(p::Bytes& out, const HeartbeatAck& f) {
  Writer w(out, PeerFrameType::kHeartbeatAck, 8 + 8);
  w.u64(f.seq);
  w.u64(f.echo_sent_us);
}

void encode_one(p::Bytes& out, const core::RouteMessage& f) {
  assert(valid_user(f.sender) && valid_user(f.recipient));
  assert(f.payload.size() <= p::kMaxPayload);
  Writer w(out, PeerFrameType::kRouteMessage,
           8 + 8 + 1 + f.sender.size() + 1 + f.recipient.size() + 8 + 8 + 4 + f.payload.size());
  w.u64(f.epoch);
  w.u64(f.relay_id);
  w.str8(f.sender);
  w.str8(f.recipient);
  w.u64(f.client_msg_id);
  w.u64(f.accepted_us);
  w.bytes32(f.payload);
  // origin: set by the receiver; target: local only.
}

void encode_one(p::Bytes& out, const core::SendOutcome& f) {
  assert(valid_user(f.sender));
  Writer w(out, PeerFrameType::kSendOutcome, 8 + 1 + f.sender.size() + 8 + 1 + 8 + 4);
  w.u64(f.relay_id);
  w.str8(f.sender);
  w.u64(f.client_msg_id);
  w.u8(static_cast<std::uint8_t>(f.status));
  w.u64(f.server_msg_id);
  w.u32(f.retry_after_ms);
}

void encode_one(p::Bytes& out, const core::PresenceRequest& f) {
  assert(valid_user(f.requester) && valid_user(f.target));
  Writer w(out, PeerFrameType::kPresenceRequest, 1 + 1 + f.requester.size() + 1 + f.target.size());
  w.u8(static_cast<std::uint8_t>(f.kind));
  w.str8(f.requester);
  w.str8(f.target);
}

void encode_one(p::Bytes& out, const core::PresenceNotice& f) {
  assert(valid_user(f.subscriber) && valid_user(f.target));
  Writer w(out, PeerFrameType::kPresenceNotice,
           1 + f.subscriber.size() + 1 + f.target.size() + 1 + 8);
  w.str8(f.subscriber);
  w.str8(f.target);
  w.u8(static_cast<std::uint8_t>(f.state));
  w.u64(f.last_seen_ms);
}

}  // namespace

void encode_peer(protocol::Bytes& out, const PeerFrame& frame) {
  std::visit([&out](const auto& f) { encode_one(out, f); }, frame);
}

Result<PeerFrame> decode_peer(const PeerFrameView& frame) {
  p::wire::Reader r(frame.body);
  const auto type = static_cast<PeerFrameType>(frame.type);
  switch (type) {
    case PeerFrameType::kPeerHello: {
      PeerHello f;
      f.version = r.u32("version");  // any value: version negotiation is the link's job
      f.cluster = r.str8("cluster", 0, kMaxClusterName);
      f.node_id = r.str8("node_id", 1, kMaxNodeId);
      f.incarnation = r.u64("incarnation");
      f.epoch = r.u64("epoch");
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kHeartbeat: {
      Heartbeat f;
      f.seq = r.u64("seq");
      f.sent_us = r.u64("sent_us");
      f.epoch = r.u64("epoch");
      if (r.finish()) return PeerFrame{f};
      break;
    }
    case PeerFrameType::kHeartbeatAck: {
      HeartbeatAck f;
      f.seq = r.u64("seq");
      f.echo_sent_us = r.u64("echo_sent_us");
      if (r.finish()) return PeerFrame{f};
      break;
    }
    case PeerFrameType::kRouteMessage: {
      core::RouteMessage f;
      f.epoch = r.u64("epoch");
      f.relay_id = r.u64("relay_id");
      f.sender = r.str8("sender", 1, p::kMaxUserId);
      f.recipient = r.str8("recipient", 1, p::kMaxUserId);
      f.client_msg_id = r.u64("client_msg_id");
      f.accepted_us = r.u64("accepted_us");
      f.payload = r.bytes32("payload", p::kMaxPayload);
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kSendOutcome: {
      core::SendOutcome f;
      f.relay_id = r.u64("relay_id");
      f.sender = r.str8("sender", 1, p::kMaxUserId);
      f.client_msg_id = r.u64("client_msg_id");
      f.status = r.enum_u8<p::SendStatus>("status", static_cast<std::uint8_t>(p::SendStatus::kOk),
                                          static_cast<std::uint8_t>(p::SendStatus::kInvalid));
      f.server_msg_id = r.u64("server_msg_id");
      f.retry_after_ms = r.u32("retry_after_ms");
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kPresenceRequest: {
      using Kind = core::PresenceRequest::Kind;
      core::PresenceRequest f;
      f.kind = r.enum_u8<Kind>("kind", static_cast<std::uint8_t>(Kind::kSubscribe),
                               static_cast<std::uint8_t>(Kind::kQuery));
      f.requester = r.str8("requester", 1, p::kMaxUserId);
      f.target = r.str8("target", 1, p::kMaxUserId);
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kPresenceNotice: {
      core::PresenceNotice f;
      f.subscriber = r.str8("subscriber", 1, p::kMaxUserId);
      f.target = r.str8("target", 1, p::kMaxUserId);
      f.state = r.enum_u8<p::PresenceState>("state",
                                            static_cast<std::uint8_t>(p::PresenceState::kOffline),
                                            static_cast<std::uint8_t>(p::PresenceState::kOnline));
      f.last_seen_ms = r.u64("last_seen_ms");
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    default:
      return Status::invalid("unknown peer frame type " + p::wire::hex_byte(frame.type));
  }
  return r.status(to_string(type));
}

Result<PeerFrame> decode_peer(std::span<const std::uint8_t> bytes) {
  // Decided on the length field first, like the reader.
  if (bytes.size() < kLengthSize) {
    return Status::invalid("peer frame: " + std::to_string(bytes.size()) +
                           " byte(s), no whole length field (truncated)");
  }
  const std::uint32_t len = load32(bytes.data());
  if (len == 0) return Status::invalid("peer frame: length 0 (no type byte)");
  if (len > kMaxPeerFrame) {
    return Status::invalid("peer frame: length " + std::to_string(len) + " over the limit " +
                           std::to_string(kMaxPeerFrame));
  }
  const std::size_t follow = bytes.size() - kLengthSize;
  if (len != follow) {
    return Status::invalid("peer frame: length " + std::to_string(len) + " but " +
                           std::to_string(follow) + " byte(s) follow" +
                           (len > follow ? " (truncated)" : " (trailing bytes)"));
  }
  return decode_peer(PeerFrameView{bytes[kLengthSize], bytes.subspan(p::kHeaderSize)});
}

const char* to_string(PeerFrameType type) {
  switch (type) {
    case PeerFrameType::kPeerHello:
      return "PEER_HELLO";
    case PeerFrameType::kHeartbeat:
      return "HEARTBEAT";
    case PeerFrameType::kHeartbeatAck:
      return "HEARTBEAT_ACK";
    case PeerFrameType::kRouteMessage:
      return "ROUTE_MESSAGE";
    case PeerFrameType::kSendOutcome:
      return "SEND_OUTCOME";
    case PeerFrameType::kPresenceRequest:
      return "PRESENCE_REQUEST";
    case PeerFrameType::kPresenceNotice:
      return "PRESENCE_NOTICE";
  }
  return "UNKNOWN";
}

const char* peer_frame_name(const PeerFrame& frame) {
  // The variant's alternatives are in opcode order: index i is type i + 1.
  static_assert(std::variant_size_v<PeerFrame> == 7);
  return to_string(static_cast<PeerFrameType>(frame.index() + 1));
}

PeerFrameReader::State PeerFrameReader::next(PeerFrameView& out) {
  protocol::FrameView f;
  switch (reader_.next(f)) {
    case protocol::FrameReader::State::kFrame:
      out = PeerFrameView{static_cast<std::uint8_t>(f.type), f.body};
      return State::kFrame;
    case protocol::FrameReader::State::kNeedMore:
      return State::kNeedMore;
    case protocol::FrameReader::State::kError:
      return State::kError;
  }
  return State::kError;
}

}  // namespace iris::peer
