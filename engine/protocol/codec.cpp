#include "engine/protocol/codec.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <type_traits>

namespace iris::protocol {

namespace {

// ---- big-endian loads/stores (compilers fold these into one load/store + bswap) ----

inline std::uint16_t load16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
inline std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
inline std::uint64_t load64(const std::uint8_t* p) {
  return (std::uint64_t{load32(p)} << 32) | load32(p + 4);
}
inline void store16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
inline void store64(std::uint8_t* p, std::uint64_t v) {
  store32(p, static_cast<std::uint32_t>(v >> 32));
  store32(p + 4, static_cast<std::uint32_t>(v));
}

constexpr std::size_t kLengthSize = 4;

bool is_client_type(FrameType t) {
  const auto v = static_cast<std::uint8_t>(t);
  return v >= static_cast<std::uint8_t>(FrameType::kHello) &&
         v <= static_cast<std::uint8_t>(FrameType::kClientBye);
}
bool is_server_type(FrameType t) {
  const auto v = static_cast<std::uint8_t>(t);
  return v >= static_cast<std::uint8_t>(FrameType::kHelloOk) &&
         v <= static_cast<std::uint8_t>(FrameType::kRedirect);
}

std::string hex_byte(std::uint8_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  s += kDigits[v >> 4];
  s += kDigits[v & 0xf];
  return s;
}

// ---- decoding ----

enum class Fault : std::uint8_t {
  kNone,
  kTruncated,
  kTrailing,
  kEmpty,
  kTooLong,
  kBadValue,
  kBadCount
};

// Bounds-checked cursor over a frame body. The first fault sticks (with the field it concerns);
// later reads after a fault return zero/empty values and are ignored by the caller, which checks
// ok() once at the end. Never reads outside [p_, end_).
class Parser {
 public:
  explicit Parser(std::span<const std::uint8_t> body)
      : p_(body.data()), end_(body.data() + body.size()) {}

  std::uint8_t u8(const char* field) {
    if (left() < 1) return truncated(field);
    return *p_++;
  }
  std::uint16_t u16(const char* field) {
    if (left() < 2) return truncated(field);
    const auto v = load16(p_);
    p_ += 2;
    return v;
  }
  std::uint32_t u32(const char* field) {
    if (left() < 4) return truncated(field);
    const auto v = load32(p_);
    p_ += 4;
    return v;
  }
  std::uint64_t u64(const char* field) {
    if (left() < 8) return truncated(field);
    const auto v = load64(p_);
    p_ += 8;
    return v;
  }
  // str8 / str16 with a length in [min_len, max_len].
  std::string_view str8(const char* field, std::uint32_t min_len, std::uint32_t max_len) {
    if (left() < 1) return truncated(field), std::string_view{};
    const std::size_t n = *p_++;
    return str(field, n, min_len, max_len);
  }
  std::string_view str16(const char* field, std::uint32_t min_len, std::uint32_t max_len) {
    if (left() < 2) return truncated(field), std::string_view{};
    const std::size_t n = load16(p_);
    p_ += 2;
    return str(field, n, min_len, max_len);
  }
  std::span<const std::uint8_t> bytes(const char* field, std::size_t n) {
    if (left() < n) return truncated(field), std::span<const std::uint8_t>{};
    std::span<const std::uint8_t> s(p_, n);
    p_ += n;
    return s;
  }
  // Everything left ("rest" payload), at most max_len bytes.
  std::span<const std::uint8_t> rest(const char* field, std::uint32_t max_len) {
    const std::size_t n = left();
    if (n > max_len)
      return fault(Fault::kTooLong, field, n, max_len), std::span<const std::uint8_t>{};
    std::span<const std::uint8_t> s(p_, n);
    p_ = end_;
    return s;
  }
  // Enum value check: value must be in [lo, hi].
  template <typename E>
  E enum_value(const char* field, std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
    if (v < lo || v > hi) fault(Fault::kBadValue, field, v, hi);
    return static_cast<E>(v);
  }
  void count(const char* field, std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
    if (v < lo || v > hi) fault(Fault::kBadCount, field, v, hi);
  }

  // True if every field parsed and no byte is left over.
  bool finish() {
    if (fault_ == Fault::kNone && p_ != end_) fault(Fault::kTrailing, "body", left(), 0);
    return fault_ == Fault::kNone;
  }

  Status status(FrameType type) const {
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
      case Fault::kBadCount:
        m += field_;
        m += ' ';
        m += std::to_string(value_);
        m += " out of range 1..";
        m += std::to_string(limit_);
        break;
    }
    return Status::invalid(std::move(m));
  }

 private:
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  std::uint8_t truncated(const char* field) {
    fault(Fault::kTruncated, field, 0, 0);
    p_ = end_;  // every later read fails too
    return 0;
  }
  std::string_view str(const char* field, std::size_t n, std::uint32_t min_len,
                       std::uint32_t max_len) {
    if (left() < n) return truncated(field), std::string_view{};
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    if (n > max_len) fault(Fault::kTooLong, field, n, max_len);
    if (n < min_len) fault(Fault::kEmpty, field, n, min_len);  // min_len is 0 or 1
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

Status wrong_type(FrameType t, bool want_client) {
  const auto v = static_cast<std::uint8_t>(t);
  std::string m;
  if ((want_client && is_server_type(t)) || (!want_client && is_client_type(t))) {
    m = "frame type " + hex_byte(v) + " (" + to_string(t) + ") is not a ";
    m += want_client ? "client->server frame" : "server->client frame";
  } else {
    m = "unknown frame type " + hex_byte(v);
  }
  return Status::invalid(std::move(m));
}

// ---- encoding ----

// Appends header + body_len zeroed bytes in one resize (geometric growth, so appending many frames
// to one buffer amortises), writes the header, returns where the body goes.
std::uint8_t* begin_frame(Bytes& out, FrameType type, std::size_t body_len) {
  assert(1 + body_len <= kMaxFrameLength);
  const std::size_t old = out.size();
  out.resize(old + kHeaderSize + body_len);
  std::uint8_t* p = out.data() + old;
  store32(p, static_cast<std::uint32_t>(1 + body_len));
  p[4] = static_cast<std::uint8_t>(type);
  return p + kHeaderSize;
}

class Writer {
 public:
  explicit Writer(std::uint8_t* p) : p_(p) {}
  void u8(std::uint8_t v) { *p_++ = v; }
  void u16(std::uint16_t v) {
    store16(p_, v);
    p_ += 2;
  }
  void u32(std::uint32_t v) {
    store32(p_, v);
    p_ += 4;
  }
  void u64(std::uint64_t v) {
    store64(p_, v);
    p_ += 8;
  }
  void raw(const void* data, std::size_t n) {
    if (n != 0) std::memcpy(p_, data, n);
    p_ += n;
  }
  void str8(std::string_view s) {
    assert(s.size() <= 0xff);
    u8(static_cast<std::uint8_t>(s.size()));
    raw(s.data(), s.size());
  }
  void str16(std::string_view s) {
    assert(s.size() <= 0xffff);
    u16(static_cast<std::uint16_t>(s.size()));
    raw(s.data(), s.size());
  }
  std::uint8_t* pos() const { return p_; }

 private:
  std::uint8_t* p_;
};

void encode_user_frame(Bytes& out, FrameType type, std::string_view user) {
  assert(!user.empty() && user.size() <= kMaxUserId);
  Writer w(begin_frame(out, type, 1 + user.size()));
  w.str8(user);
  assert(w.pos() == out.data() + out.size());
}

void encode_ack_raw(Bytes& out, std::span<const std::uint8_t> raw_ids) {
  assert(raw_ids.size() % 8 == 0);
  assert(raw_ids.size() / 8 >= 1 && raw_ids.size() / 8 <= kMaxAckIds);
  Writer w(begin_frame(out, FrameType::kAck, 2 + raw_ids.size()));
  w.u16(static_cast<std::uint16_t>(raw_ids.size() / 8));
  w.raw(raw_ids.data(), raw_ids.size());
  assert(w.pos() == out.data() + out.size());
}

}  // namespace

// ---- framing ----

SplitResult split_frame(std::span<const std::uint8_t> input, std::uint32_t max_frame_length) {
  SplitResult r;
  if (input.size() < kLengthSize) return r;  // kNeedMore
  const std::uint32_t len = load32(input.data());
  if (len == 0) {
    r.status = SplitStatus::kEmpty;
    return r;
  }
  if (len > max_frame_length) {
    r.status = SplitStatus::kTooLarge;
    return r;
  }
  if (input.size() - kLengthSize < len) return r;  // kNeedMore
  r.status = SplitStatus::kFrame;
  r.frame.type = static_cast<FrameType>(input[kLengthSize]);
  r.frame.body = input.subspan(kHeaderSize, len - 1);
  r.consumed = kLengthSize + len;
  return r;
}

// ---- decoding ----

Result<ClientFrame> decode_client(const FrameView& frame) {
  Parser r(frame.body);
  switch (frame.type) {
    case FrameType::kHello: {
      Hello f;
      f.version = r.u8("version");  // any value: version negotiation is the node's job
      f.client_name = r.str8("client_name", 0, kMaxClientName);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kLogin: {
      Login f;
      f.token = r.str16("token", 0, kMaxToken);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kSend: {
      Send f;
      f.client_msg_id = r.u64("client_msg_id");  // 0 is well-formed; the node answers kInvalid
      f.recipient = r.str8("recipient", 1, kMaxUserId);
      f.payload = r.rest("payload", kMaxPayload);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kAck: {
      Ack f;
      const std::uint16_t n = r.u16("count");
      r.count("count", n, 1, kMaxAckIds);
      f.raw_ids = r.bytes("ids", std::size_t{n} * 8);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kPresenceSubscribe: {
      PresenceSubscribe f;
      f.user = r.str8("user", 1, kMaxUserId);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kPresenceUnsubscribe: {
      PresenceUnsubscribe f;
      f.user = r.str8("user", 1, kMaxUserId);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kStatus: {
      StatusQuery f;
      f.user = r.str8("user", 1, kMaxUserId);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kPing: {
      Ping f;
      f.nonce = r.u64("nonce");
      if (r.finish()) return ClientFrame{f};
      break;
    }
    case FrameType::kClientBye: {
      ClientBye f;
      f.reason = r.str16("reason", 0, kMaxText);
      if (r.finish()) return ClientFrame{f};
      break;
    }
    default:
      return wrong_type(frame.type, /*want_client=*/true);
  }
  return r.status(frame.type);
}

Result<ServerFrame> decode_server(const FrameView& frame) {
  Parser r(frame.body);
  switch (frame.type) {
    case FrameType::kHelloOk: {
      HelloOk f;
      f.version = r.u8("version");
      f.max_frame_length = r.u32("max_frame_length");
      f.node_id = r.str8("node_id", 0, kMaxUserId);
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kLoginOk: {
      LoginOk f;
      f.user = r.str8("user", 1, kMaxUserId);
      f.session_id = r.u64("session_id");
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kSendAck: {
      SendAck f;
      f.client_msg_id = r.u64("client_msg_id");
      f.status = r.enum_value<SendStatus>("status", r.u8("status"),
                                          static_cast<std::uint8_t>(SendStatus::kOk),
                                          static_cast<std::uint8_t>(SendStatus::kInvalid));
      f.server_msg_id = r.u64("server_msg_id");
      f.retry_after_ms = r.u32("retry_after_ms");
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kDeliver: {
      Deliver f;
      f.server_msg_id = r.u64("server_msg_id");
      f.sender = r.str8("sender", 1, kMaxUserId);
      f.client_msg_id = r.u64("client_msg_id");
      f.server_ts_us = r.u64("server_ts_us");
      f.payload = r.rest("payload", kMaxPayload);
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kPresence: {
      Presence f;
      f.user = r.str8("user", 1, kMaxUserId);
      f.state = r.enum_value<PresenceState>("state", r.u8("state"),
                                            static_cast<std::uint8_t>(PresenceState::kOffline),
                                            static_cast<std::uint8_t>(PresenceState::kOnline));
      f.last_seen_ms = r.u64("last_seen_ms");
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kPong: {
      Pong f;
      f.nonce = r.u64("nonce");
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kError: {
      Error f;
      f.code = r.enum_value<ErrorCode>("code", r.u16("code"),
                                       static_cast<std::uint16_t>(ErrorCode::kBadFrame),
                                       static_cast<std::uint16_t>(ErrorCode::kUnavailable));
      f.text = r.str16("text", 0, kMaxText);
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kBye: {
      Bye f;
      f.reason = r.enum_value<ByeReason>("reason", r.u8("reason"),
                                         static_cast<std::uint8_t>(ByeReason::kShutdown),
                                         static_cast<std::uint8_t>(ByeReason::kHomeUnreachable));
      f.reconnect_after_ms = r.u32("reconnect_after_ms");
      f.text = r.str16("text", 0, kMaxText);
      if (r.finish()) return ServerFrame{f};
      break;
    }
    case FrameType::kRedirect: {
      Redirect f;
      f.node_id = r.str8("node_id", 1, kMaxUserId);
      f.address = r.str8("address", 0, kMaxAddress);
      if (r.finish()) return ServerFrame{f};
      break;
    }
    default:
      return wrong_type(frame.type, /*want_client=*/false);
  }
  return r.status(frame.type);
}

// ---- encoding ----

void encode(Bytes& out, const Hello& f) {
  assert(f.client_name.size() <= kMaxClientName);
  Writer w(begin_frame(out, FrameType::kHello, 1 + 1 + f.client_name.size()));
  w.u8(f.version);
  w.str8(f.client_name);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const Login& f) {
  assert(f.token.size() <= kMaxToken);
  Writer w(begin_frame(out, FrameType::kLogin, 2 + f.token.size()));
  w.str16(f.token);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const Send& f) {
  assert(!f.recipient.empty() && f.recipient.size() <= kMaxUserId);
  assert(f.payload.size() <= kMaxPayload);
  Writer w(begin_frame(out, FrameType::kSend, 8 + 1 + f.recipient.size() + f.payload.size()));
  w.u64(f.client_msg_id);
  w.str8(f.recipient);
  w.raw(f.payload.data(), f.payload.size());
  assert(w.pos() == out.data() + out.size());
}

void encode_ack(Bytes& out, std::span<const std::uint64_t> ids) {
  assert(!ids.empty() && ids.size() <= kMaxAckIds);
  Writer w(begin_frame(out, FrameType::kAck, 2 + 8 * ids.size()));
  w.u16(static_cast<std::uint16_t>(ids.size()));
  for (const std::uint64_t id : ids) w.u64(id);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const PresenceSubscribe& f) {
  encode_user_frame(out, FrameType::kPresenceSubscribe, f.user);
}
void encode(Bytes& out, const PresenceUnsubscribe& f) {
  encode_user_frame(out, FrameType::kPresenceUnsubscribe, f.user);
}
void encode(Bytes& out, const StatusQuery& f) {
  encode_user_frame(out, FrameType::kStatus, f.user);
}

void encode(Bytes& out, const Ping& f) {
  Writer w(begin_frame(out, FrameType::kPing, 8));
  w.u64(f.nonce);
}

void encode(Bytes& out, const ClientBye& f) {
  assert(f.reason.size() <= kMaxText);
  Writer w(begin_frame(out, FrameType::kClientBye, 2 + f.reason.size()));
  w.str16(f.reason);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const HelloOk& f) {
  assert(f.node_id.size() <= kMaxUserId);
  Writer w(begin_frame(out, FrameType::kHelloOk, 1 + 4 + 1 + f.node_id.size()));
  w.u8(f.version);
  w.u32(f.max_frame_length);
  w.str8(f.node_id);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const LoginOk& f) {
  assert(!f.user.empty() && f.user.size() <= kMaxUserId);
  Writer w(begin_frame(out, FrameType::kLoginOk, 1 + f.user.size() + 8));
  w.str8(f.user);
  w.u64(f.session_id);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const SendAck& f) {
  Writer w(begin_frame(out, FrameType::kSendAck, 8 + 1 + 8 + 4));
  w.u64(f.client_msg_id);
  w.u8(static_cast<std::uint8_t>(f.status));
  w.u64(f.server_msg_id);
  w.u32(f.retry_after_ms);
}

void encode(Bytes& out, const Deliver& f) {
  assert(!f.sender.empty() && f.sender.size() <= kMaxUserId);
  assert(f.payload.size() <= kMaxPayload);
  Writer w(begin_frame(out, FrameType::kDeliver,
                       8 + 1 + f.sender.size() + 8 + 8 + f.payload.size()));
  w.u64(f.server_msg_id);
  w.str8(f.sender);
  w.u64(f.client_msg_id);
  w.u64(f.server_ts_us);
  w.raw(f.payload.data(), f.payload.size());
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const Presence& f) {
  assert(!f.user.empty() && f.user.size() <= kMaxUserId);
  Writer w(begin_frame(out, FrameType::kPresence, 1 + f.user.size() + 1 + 8));
  w.str8(f.user);
  w.u8(static_cast<std::uint8_t>(f.state));
  w.u64(f.last_seen_ms);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const Pong& f) {
  Writer w(begin_frame(out, FrameType::kPong, 8));
  w.u64(f.nonce);
}

void encode(Bytes& out, const Error& f) {
  assert(f.text.size() <= kMaxText);
  Writer w(begin_frame(out, FrameType::kError, 2 + 2 + f.text.size()));
  w.u16(static_cast<std::uint16_t>(f.code));
  w.str16(f.text);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const Bye& f) {
  assert(f.text.size() <= kMaxText);
  Writer w(begin_frame(out, FrameType::kBye, 1 + 4 + 2 + f.text.size()));
  w.u8(static_cast<std::uint8_t>(f.reason));
  w.u32(f.reconnect_after_ms);
  w.str16(f.text);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const Redirect& f) {
  assert(!f.node_id.empty() && f.node_id.size() <= kMaxUserId);
  assert(f.address.size() <= kMaxAddress);
  Writer w(begin_frame(out, FrameType::kRedirect, 1 + f.node_id.size() + 1 + f.address.size()));
  w.str8(f.node_id);
  w.str8(f.address);
  assert(w.pos() == out.data() + out.size());
}

void encode(Bytes& out, const ClientFrame& f) {
  std::visit(
      [&out](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Ack>) {
          encode_ack_raw(out, v.raw_ids);
        } else {
          encode(out, v);
        }
      },
      f);
}

void encode(Bytes& out, const ServerFrame& f) {
  std::visit([&out](const auto& v) { encode(out, v); }, f);
}

// ---- FrameReader ----

FrameReader::FrameReader(std::uint32_t max_frame_length) : max_frame_length_(max_frame_length) {}

// Makes room for n more bytes after end_. Called only from prepare()/feed(), which is what keeps
// earlier FrameViews valid until then. The unconsumed tail (at most one partial frame, when the
// owner drains next() between reads) moves to the front only when the free space behind it is
// too small, so each byte moves at most once; the buffer then grows to at most tail + n.
void FrameReader::compact() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
    return;
  }
  if (begin_ == 0) return;
  const std::size_t n = end_ - begin_;
  std::memmove(buf_.data(), buf_.data() + begin_, n);
  begin_ = 0;
  end_ = n;
}

std::span<std::uint8_t> FrameReader::prepare(std::size_t n) {
  if (failed_) begin_ = end_ = 0;  // nothing is kept once in error
  if (buf_.size() - end_ < n) {
    compact();
    const std::size_t need = end_ + n;
    if (need > buf_.capacity()) {
      // Grow geometrically, but never past what one maximal frame plus this read can need.
      const std::size_t bound = std::size_t{max_frame_length_} + kLengthSize + n;
      buf_.reserve(std::max(need, std::min(2 * buf_.capacity(), bound)));
    }
    if (need > buf_.size()) buf_.resize(need);
  }
  return {buf_.data() + end_, n};
}

void FrameReader::commit(std::size_t n) {
  assert(n <= buf_.size() - end_);
  if (failed_) return;  // the bytes are dropped: the stream is dead
  end_ += n;
}

void FrameReader::feed(std::span<const std::uint8_t> bytes) {
  if (failed_ || bytes.empty()) return;
  auto dst = prepare(bytes.size());
  std::memcpy(dst.data(), bytes.data(), bytes.size());
  end_ += bytes.size();
}

FrameReader::State FrameReader::next(FrameView& out) {
  if (failed_) return State::kError;
  const SplitResult r = split_frame(
      std::span<const std::uint8_t>(buf_.data() + begin_, end_ - begin_), max_frame_length_);
  switch (r.status) {
    case SplitStatus::kFrame:
      out = r.frame;
      begin_ += r.consumed;
      if (begin_ == end_) begin_ = end_ = 0;  // bytes stay in place: `out` is still valid
      return State::kFrame;
    case SplitStatus::kNeedMore:
      return State::kNeedMore;
    case SplitStatus::kTooLarge:
      failed_ = true;
      error_ = ErrorCode::kFrameTooLarge;
      return State::kError;
    case SplitStatus::kEmpty:
      failed_ = true;
      error_ = ErrorCode::kBadFrame;
      return State::kError;
  }
  return State::kNeedMore;
}

}  // namespace iris::protocol
