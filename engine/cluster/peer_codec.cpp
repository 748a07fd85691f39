#include "engine/cluster/peer_codec.h"

#include <cassert>
#include <cstring>
#include <type_traits>
#include <utility>

namespace iris::cluster {

namespace {

namespace p = iris::protocol;

constexpr std::size_t kLengthSize = 4;
constexpr std::size_t kHeaderSize = 5;  // u32 length + u8 type

inline std::uint32_t load32(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}
inline std::uint64_t load64(const std::uint8_t* b) {
  return (std::uint64_t{load32(b)} << 32) | load32(b + 4);
}
inline void store32(std::uint8_t* b, std::uint32_t v) {
  b[0] = static_cast<std::uint8_t>(v >> 24);
  b[1] = static_cast<std::uint8_t>(v >> 16);
  b[2] = static_cast<std::uint8_t>(v >> 8);
  b[3] = static_cast<std::uint8_t>(v);
}
inline void store64(std::uint8_t* b, std::uint64_t v) {
  store32(b, static_cast<std::uint32_t>(v >> 32));
  store32(b + 4, static_cast<std::uint32_t>(v));
}

std::string hex_byte(std::uint8_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  s += kDigits[v >> 4];
  s += kDigits[v & 0xf];
  return s;
}

// ---- decoding ----

// Bounds-checked cursor over a frame body, in the style of the client codec's: the first fault
// sticks (with the field it concerns), later reads return zero/empty values, and the caller checks
// finish() once at the end. Never reads outside [p_, end_).
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> body)
      : p_(body.data()), end_(body.data() + body.size()) {}

  std::uint8_t u8(const char* field) {
    if (left() < 1) return truncated(field), std::uint8_t{0};
    return *p_++;
  }
  std::uint32_t u32(const char* field) {
    if (left() < 4) return truncated(field), std::uint32_t{0};
    const auto v = load32(p_);
    p_ += 4;
    return v;
  }
  std::uint64_t u64(const char* field) {
    if (left() < 8) return truncated(field), std::uint64_t{0};
    const auto v = load64(p_);
    p_ += 8;
    return v;
  }
  // u8 length + bytes, length in [min_len, max_len] (min_len is 0 or 1).
  std::string str8(const char* field, std::uint32_t min_len, std::uint32_t max_len) {
    if (left() < 1) return truncated(field), std::string{};
    const std::size_t n = *p_++;
    return take(field, n, min_len, max_len);
  }
  // u32 length + bytes, length at most max_len. The limit is checked before the bytes are looked
  // for, so a hostile length is reported as such rather than as a truncation.
  std::string bytes32(const char* field, std::uint32_t max_len) {
    if (left() < 4) return truncated(field), std::string{};
    const std::size_t n = load32(p_);
    p_ += 4;
    if (n > max_len) return fault(Fault::kTooLong, field, n, max_len), std::string{};
    return take(field, n, 0, max_len);
  }
  // Enumerated value: must be in [lo, hi].
  template <typename E>
  E enum_u8(const char* field, std::uint8_t lo, std::uint8_t hi) {
    const std::uint8_t v = u8(field);
    if (fault_ == Fault::kNone && (v < lo || v > hi)) fault(Fault::kBadValue, field, v, hi);
    return static_cast<E>(v);
  }

  bool finish() {
    if (fault_ == Fault::kNone && p_ != end_) fault(Fault::kTrailing, "body", left(), 0);
    return fault_ == Fault::kNone;
  }

  Status status(PeerFrameType type) const {
    std::string m = to_string(type);
    m += ": ";
    switch (fault_) {
      case Fault::kNone:
        m += "ok";
        break;  // not reached: status() is only asked after a fault
      case Fault::kTruncated:
        m += "truncated body (at ";
        m += field_;
        m += ')';
        break;
      case Fault::kTrailing:
        m += std::to_string(value_);
        m += " trailing byte(s) after the last field";
        break;
      case Fault::kEmpty:
        m += field_;
        m += " is empty";
        break;
      case Fault::kTooLong:
        m += field_;
        m += " too long (";
        m += std::to_string(value_);
        m += " > ";
        m += std::to_string(limit_);
        m += " bytes)";
        break;
      case Fault::kBadValue:
        m += field_;
        m += ": unknown value ";
        m += std::to_string(value_);
        break;
    }
    return Status::invalid(std::move(m));
  }

 private:
  enum class Fault : std::uint8_t { kNone, kTruncated, kTrailing, kEmpty, kTooLong, kBadValue };

  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  void truncated(const char* field) {
    fault(Fault::kTruncated, field, 0, 0);
    p_ = end_;  // every later read fails too
  }
  std::string take(const char* field, std::size_t n, std::uint32_t min_len, std::uint32_t max_len) {
    if (left() < n) return truncated(field), std::string{};
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    if (n > max_len) fault(Fault::kTooLong, field, n, max_len);
    if (n < min_len) fault(Fault::kEmpty, field, n, min_len);
    return s;
  }
  void fault(Fault f, const char* field, std::uint64_t value, std::uint64_t limit) {
    if (fault_ != Fault::kNone) return;
    fault_ = f;
    field_ = field;
    value_ = value;
    limit_ = limit;
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  Fault fault_ = Fault::kNone;
  const char* field_ = "";
  std::uint64_t value_ = 0;
  std::uint64_t limit_ = 0;
};

// ---- encoding ----

class Writer {
 public:
  // Appends the header and body_len bytes to `out` in one resize; writes go into the body.
  Writer(p::Bytes& out, PeerFrameType type, std::size_t body_len) : out_(out) {
    assert(1 + body_len <= kMaxPeerFrame);
    const std::size_t old = out_.size();
    out_.resize(old + kHeaderSize + body_len);
    p_ = out_.data() + old;
    store32(p_, static_cast<std::uint32_t>(1 + body_len));
    p_[4] = static_cast<std::uint8_t>(type);
    p_ += kHeaderSize;
  }
  ~Writer() { assert(p_ == out_.data() + out_.size()); }  // the body size was right
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void u8(std::uint8_t v) { *p_++ = v; }
  void u32(std::uint32_t v) {
    store32(p_, v);
    p_ += 4;
  }
  void u64(std::uint64_t v) {
    store64(p_, v);
    p_ += 8;
  }
  void str8(const std::string& s) {
    assert(s.size() <= 0xff);
    u8(static_cast<std::uint8_t>(s.size()));
    raw(s);
  }
  void bytes32(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s);
  }

 private:
  void raw(const std::string& s) {
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  p::Bytes& out_;
  std::uint8_t* p_;
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
  Reader r(frame.body);
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
      return Status::invalid("unknown peer frame type " + hex_byte(frame.type));
  }
  return r.status(type);
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
  return decode_peer(PeerFrameView{bytes[kLengthSize], bytes.subspan(kHeaderSize)});
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

}  // namespace iris::cluster
