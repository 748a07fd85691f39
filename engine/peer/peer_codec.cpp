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
  Writer w(out, PeerFrameType::kHeartbeat, 8 + 8 + 8 + 8);
  w.u64(f.seq);
  w.u64(f.sent_us);
  w.u64(f.epoch);
  w.u64(f.handover_epoch);
}

void encode_one(p::Bytes& out, const HeartbeatAck& f) {
  Writer w(out, PeerFrameType::kHeartbeatAck, 8 + 8);
  w.u64(f.seq);
  w.u64(f.echo_sent_us);
}

void encode_one(p::Bytes& out, const core::RouteMessage& f) {
  assert(valid_user(f.sender) && valid_user(f.recipient));
  assert(f.payload.size() <= p::kMaxPayload);
  Writer w(out, f.handover ? PeerFrameType::kHandoverMessage : PeerFrameType::kRouteMessage,
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
  // A hand-over's answer (HANDOVER_OUTCOME) names the moved user after the relay id.
  const bool handover = !f.recipient.empty();
  assert(!handover || valid_user(f.recipient));
  Writer w(out, handover ? PeerFrameType::kHandoverOutcome : PeerFrameType::kSendOutcome,
           8 + (handover ? 1 + f.recipient.size() : 0) + 1 + f.sender.size() + 8 + 1 + 8 + 4);
  w.u64(f.relay_id);
  if (handover) w.str8(f.recipient);
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

std::size_t members_size(const std::vector<cluster::Member>& members) {
  std::size_t n = 2;
  for (const auto& m : members) {
    n += 1 + m.id.size() + 1 + m.peer_address.size() + 1 + m.client_address.size() + 1;
  }
  return n;
}

void write_members(Writer& w, const std::vector<cluster::Member>& members) {
  assert(!members.empty() && members.size() <= cluster::kMaxMembers);
  w.u16(static_cast<std::uint16_t>(members.size()));
  for (const auto& m : members) {
    assert(!m.id.empty() && m.id.size() <= kMaxNodeId);
    assert(m.peer_address.size() <= cluster::kMaxAddress);
    assert(m.client_address.size() <= cluster::kMaxAddress);
    w.str8(m.id);
    w.str8(m.peer_address);
    w.str8(m.client_address);
    w.u8(static_cast<std::uint8_t>(m.state));
  }
}

[[maybe_unused]] bool valid_node(const std::string& id) {
  return !id.empty() && id.size() <= kMaxNodeId;
}

void encode_one(p::Bytes& out, const ViewPrepare& f) {
  assert(valid_node(f.coordinator));
  Writer w(out, PeerFrameType::kViewPrepare,
           8 + 8 + 1 + f.coordinator.size() + members_size(f.members));
  w.u64(f.epoch);
  w.u64(f.round);
  w.str8(f.coordinator);
  write_members(w, f.members);
}

void encode_one(p::Bytes& out, const ViewVote& f) {
  assert(valid_node(f.coordinator));
  assert(f.reason.size() <= cluster::kMaxReason);
  Writer w(out, PeerFrameType::kViewVote,
           8 + 8 + 1 + f.coordinator.size() + 1 + 1 + f.reason.size());
  w.u64(f.epoch);
  w.u64(f.round);
  w.str8(f.coordinator);
  w.u8(f.yes ? 1 : 0);
  w.str8(f.reason);
}

void encode_one(p::Bytes& out, const ViewCommit& f) {
  Writer w(out, PeerFrameType::kViewCommit, 8 + members_size(f.members));
  w.u64(f.epoch);
  write_members(w, f.members);
}

void encode_one(p::Bytes& out, const ViewAbort& f) {
  assert(valid_node(f.coordinator));
  Writer w(out, PeerFrameType::kViewAbort, 8 + 8 + 1 + f.coordinator.size());
  w.u64(f.epoch);
  w.u64(f.round);
  w.str8(f.coordinator);
}

void encode_one(p::Bytes& out, const ViewQuery& f) {
  assert(f.coordinator.size() <= kMaxNodeId);  // empty: a catch-up query
  Writer w(out, PeerFrameType::kViewQuery, 8 + 8 + 1 + f.coordinator.size());
  w.u64(f.epoch);
  w.u64(f.round);
  w.str8(f.coordinator);
}

void encode_one(p::Bytes& out, const JoinRequest& f) {
  assert(valid_node(f.node_id));
  assert(f.peer_address.size() <= cluster::kMaxAddress);
  assert(f.client_address.size() <= cluster::kMaxAddress);
  Writer w(out, PeerFrameType::kJoinRequest,
           1 + f.node_id.size() + 1 + f.peer_address.size() + 1 + f.client_address.size());
  w.str8(f.node_id);
  w.str8(f.peer_address);
  w.str8(f.client_address);
}

std::vector<cluster::Member> read_members(p::wire::Reader& r) {
  const std::uint16_t n = r.u16("member count");
  r.count("member count", n, 1, cluster::kMaxMembers);
  std::vector<cluster::Member> members;
  if (n > cluster::kMaxMembers) return members;
  members.reserve(n);
  for (std::uint16_t i = 0; i < n; ++i) {
    cluster::Member m;
    m.id = r.str8("member id", 1, kMaxNodeId);
    m.peer_address = r.str8("peer address", 0, cluster::kMaxAddress);
    m.client_address = r.str8("client address", 0, cluster::kMaxAddress);
    m.state = r.enum_u8<cluster::MemberState>(
        "member state", static_cast<std::uint8_t>(cluster::MemberState::kActive),
        static_cast<std::uint8_t>(cluster::MemberState::kLeft));
    members.push_back(std::move(m));
  }
  return members;
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
      f.handover_epoch = r.u64("handover_epoch");
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
    case PeerFrameType::kRouteMessage:
    case PeerFrameType::kHandoverMessage: {
      core::RouteMessage f;
      f.handover = type == PeerFrameType::kHandoverMessage;
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
    case PeerFrameType::kSendOutcome:
    case PeerFrameType::kHandoverOutcome: {  // the same, with the moved user after the relay id
      core::SendOutcome f;
      f.relay_id = r.u64("relay_id");
      if (type == PeerFrameType::kHandoverOutcome) {
        f.recipient = r.str8("recipient", 1, p::kMaxUserId);
      }
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
    case PeerFrameType::kViewPrepare: {
      ViewPrepare f;
      f.epoch = r.u64("epoch");
      f.round = r.u64("round");
      f.coordinator = r.str8("coordinator", 1, kMaxNodeId);
      f.members = read_members(r);
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kViewVote: {
      ViewVote f;
      f.epoch = r.u64("epoch");
      f.round = r.u64("round");
      f.coordinator = r.str8("coordinator", 1, kMaxNodeId);
      f.yes = r.enum_u8<std::uint8_t>("yes", 0, 1) == 1;
      f.reason = r.str8("reason", 0, cluster::kMaxReason);
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kViewCommit: {
      ViewCommit f;
      f.epoch = r.u64("epoch");
      f.members = read_members(r);
      if (r.finish()) return PeerFrame{std::move(f)};
      break;
    }
    case PeerFrameType::kViewAbort:
    case PeerFrameType::kViewQuery: {
      const std::uint64_t epoch = r.u64("epoch");
      const std::uint64_t round = r.u64("round");
      // VIEW_QUERY may name no coordinator: "whatever view you have at this epoch or later".
      std::string coordinator(
          r.str8("coordinator", type == PeerFrameType::kViewQuery ? 0 : 1, kMaxNodeId));
      if (!r.finish()) break;
      if (type == PeerFrameType::kViewAbort) {
        return PeerFrame{ViewAbort{epoch, round, std::move(coordinator)}};
      }
      return PeerFrame{ViewQuery{epoch, round, std::move(coordinator)}};
    }
    case PeerFrameType::kJoinRequest: {
      JoinRequest f;
      f.node_id = r.str8("node_id", 1, kMaxNodeId);
      f.peer_address = r.str8("peer_address", 0, cluster::kMaxAddress);
      f.client_address = r.str8("client_address", 0, cluster::kMaxAddress);
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
    case PeerFrameType::kViewPrepare:
      return "VIEW_PREPARE";
    case PeerFrameType::kViewVote:
      return "VIEW_VOTE";
    case PeerFrameType::kViewCommit:
      return "VIEW_COMMIT";
    case PeerFrameType::kViewAbort:
      return "VIEW_ABORT";
    case PeerFrameType::kViewQuery:
      return "VIEW_QUERY";
    case PeerFrameType::kJoinRequest:
      return "JOIN_REQUEST";
    case PeerFrameType::kHandoverMessage:
      return "HANDOVER_MESSAGE";
    case PeerFrameType::kHandoverOutcome:
      return "HANDOVER_OUTCOME";
  }
  return "UNKNOWN";
}

PeerFrameType peer_frame_type(const PeerFrame& frame) {
  if (const auto* r = std::get_if<core::RouteMessage>(&frame); r && r->handover) {
    return PeerFrameType::kHandoverMessage;
  }
  if (const auto* o = std::get_if<core::SendOutcome>(&frame); o && !o->recipient.empty()) {
    return PeerFrameType::kHandoverOutcome;
  }
  // The variant's alternatives are in opcode order from 0x01 to 0x0D: index i is type i + 1.
  static_assert(std::variant_size_v<PeerFrame> == 13);
  return static_cast<PeerFrameType>(frame.index() + 1);
}

const char* peer_frame_name(const PeerFrame& frame) {
  return to_string(peer_frame_type(frame));
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
