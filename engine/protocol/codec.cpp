#include "engine/protocol/codec.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <type_traits>

#include "engine/protocol/wire.h"

namespace iris::protocol {

namespace {

using wire::kLengthSize;
using wire::load32;

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

// ---- decoding ----

Status wrong_type(FrameType t, bool want_client) {
  const auto v = static_cast<std::uint8_t>(t);
  std::string m;
  if ((want_client && is_server_type(t)) || (!want_client && is_client_type(t))) {
    m = "frame type " + wire::hex_byte(v) + " (" + to_string(t) + ") is not a ";
    m += want_client ? "client->server frame" : "server->client frame";
  } else {
    m = "unknown frame type " + wire::hex_byte(v);
  }
  return Status::invalid(std::move(m));
}

// ---- encoding ----

// One protocol v1 frame of `type`, its body body_len bytes (see wire::FrameWriter).
class Writer : public wire::FrameWriter {
 public:
  Writer(Bytes& out, FrameType type, std::size_t body_len)
      : wire::FrameWriter(out, static_cast<std::uint8_t>(type), body_len, kMaxFrameLength) {}
};

void encode_user_frame(Bytes& out, FrameType type, std::string_view user) {
  assert(!user.empty() && user.size() <= kMaxUserId);
  Writer w(out, type, 1 + user.size());
  w.str8(user);
}

void encode_ack_raw(Bytes& out, std::span<const std::uint8_t> raw_ids) {
  assert(raw_ids.size() % 8 == 0);
  assert(raw_ids.size() / 8 >= 1 && raw_ids.size() / 8 <= kMaxAckIds);
  Writer w(out, FrameType::kAck, 2 + raw_ids.size());
  w.u16(static_cast<std::uint16_t>(raw_ids.size() / 8));
  w.raw(raw_ids.data(), raw_ids.size());
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
  wire::Reader r(frame.body);
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
  return r.status(to_string(frame.type));
}

Result<ServerFrame> decode_server(const FrameView& frame) {
  wire::Reader r(frame.body);
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
  return r.status(to_string(frame.type));
}

// ---- encoding ----

void encode(Bytes& out, const Hello& f) {
  assert(f.client_name.size() <= kMaxClientName);
  Writer w(out, FrameType::kHello, 1 + 1 + f.client_name.size());
  w.u8(f.version);
  w.str8(f.client_name);
}

void encode(Bytes& out, const Login& f) {
  assert(f.token.size() <= kMaxToken);
  Writer w(out, FrameType::kLogin, 2 + f.token.size());
  w.str16(f.token);
}

void encode(Bytes& out, const Send& f) {
  assert(!f.recipient.empty() && f.recipient.size() <= kMaxUserId);
  assert(f.payload.size() <= kMaxPayload);
  Writer w(out, FrameType::kSend, 8 + 1 + f.recipient.size() + f.payload.size());
  w.u64(f.client_msg_id);
  w.str8(f.recipient);
  w.raw(f.payload.data(), f.payload.size());
}

void encode_ack(Bytes& out, std::span<const std::uint64_t> ids) {
  assert(!ids.empty() && ids.size() <= kMaxAckIds);
  Writer w(out, FrameType::kAck, 2 + 8 * ids.size());
  w.u16(static_cast<std::uint16_t>(ids.size()));
  for (const std::uint64_t id : ids) w.u64(id);
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
  Writer w(out, FrameType::kPing, 8);
  w.u64(f.nonce);
}

void encode(Bytes& out, const ClientBye& f) {
  assert(f.reason.size() <= kMaxText);
  Writer w(out, FrameType::kClientBye, 2 + f.reason.size());
  w.str16(f.reason);
}

void encode(Bytes& out, const HelloOk& f) {
  assert(f.node_id.size() <= kMaxUserId);
  Writer w(out, FrameType::kHelloOk, 1 + 4 + 1 + f.node_id.size());
  w.u8(f.version);
  w.u32(f.max_frame_length);
  w.str8(f.node_id);
}

void encode(Bytes& out, const LoginOk& f) {
  assert(!f.user.empty() && f.user.size() <= kMaxUserId);
  Writer w(out, FrameType::kLoginOk, 1 + f.user.size() + 8);
  w.str8(f.user);
  w.u64(f.session_id);
}

void encode(Bytes& out, const SendAck& f) {
  Writer w(out, FrameType::kSendAck, 8 + 1 + 8 + 4);
  w.u64(f.client_msg_id);
  w.u8(static_cast<std::uint8_t>(f.status));
  w.u64(f.server_msg_id);
  w.u32(f.retry_after_ms);
}

void encode(Bytes& out, const Deliver& f) {
  assert(!f.sender.empty() && f.sender.size() <= kMaxUserId);
  assert(f.payload.size() <= kMaxPayload);
  Writer w(out, FrameType::kDeliver, 8 + 1 + f.sender.size() + 8 + 8 + f.payload.size());
  w.u64(f.server_msg_id);
  w.str8(f.sender);
  w.u64(f.client_msg_id);
  w.u64(f.server_ts_us);
  w.raw(f.payload.data(), f.payload.size());
}

void encode(Bytes& out, const Presence& f) {
  assert(!f.user.empty() && f.user.size() <= kMaxUserId);
  Writer w(out, FrameType::kPresence, 1 + f.user.size() + 1 + 8);
  w.str8(f.user);
  w.u8(static_cast<std::uint8_t>(f.state));
  w.u64(f.last_seen_ms);
}

void encode(Bytes& out, const Pong& f) {
  Writer w(out, FrameType::kPong, 8);
  w.u64(f.nonce);
}

void encode(Bytes& out, const Error& f) {
  assert(f.text.size() <= kMaxText);
  Writer w(out, FrameType::kError, 2 + 2 + f.text.size());
  w.u16(static_cast<std::uint16_t>(f.code));
  w.str16(f.text);
}

void encode(Bytes& out, const Bye& f) {
  assert(f.text.size() <= kMaxText);
  Writer w(out, FrameType::kBye, 1 + 4 + 2 + f.text.size());
  w.u8(static_cast<std::uint8_t>(f.reason));
  w.u32(f.reconnect_after_ms);
  w.str16(f.text);
}

void encode(Bytes& out, const Redirect& f) {
  assert(!f.node_id.empty() && f.node_id.size() <= kMaxUserId);
  assert(f.address.size() <= kMaxAddress);
  Writer w(out, FrameType::kRedirect, 1 + f.node_id.size() + 1 + f.address.size());
  w.str8(f.node_id);
  w.str8(f.address);
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
