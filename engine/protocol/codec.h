#pragma once
// Encoding and decoding of protocol v1 frames (layouts in docs/protocol.md).
// Decoding never reads past its input and never allocates: decoded frames are views into the
// input. Encoders append to a caller-owned byte vector (write coalescing: many frames, one write);
// their fields must already be within the limits of frames.h (asserted: a violation is a bug).

#include <cstdint>
#include <span>
#include <vector>

#include "engine/common/status.h"
#include "engine/protocol/frames.h"

namespace iris::protocol {

using Bytes = std::vector<std::uint8_t>;

// A complete frame split off a byte stream: its type byte and its body (a view).
struct FrameView {
  FrameType type{};
  std::span<const std::uint8_t> body;
};

enum class SplitStatus {
  kFrame,     // `frame` is set, `consumed` = header + body bytes
  kNeedMore,  // input holds a partial frame; nothing consumed
  kTooLarge,  // length field > max_frame_length (reject before buffering the body)
  kEmpty,     // length field 0 (no type byte): malformed
};
struct SplitResult {
  SplitStatus status = SplitStatus::kNeedMore;
  FrameView frame;
  std::size_t consumed = 0;
};
// Splits the first frame off `input`. Handles frames split or merged at any byte boundary.
SplitResult split_frame(std::span<const std::uint8_t> input,
                        std::uint32_t max_frame_length = kMaxFrameLength);

// Decodes a body. An error Status (kInvalidArgument, with a reason) for: a type of the other
// direction or unknown, a truncated body, trailing bytes, a field over its limit, an empty user id
// (or REDIRECT node id), a zero count, an enumerated value not listed in frames.h. The result's
// views point into frame.body.
Result<ClientFrame> decode_client(const FrameView& frame);
Result<ServerFrame> decode_server(const FrameView& frame);

// Encoders: append one whole frame (header included) to `out`.
void encode(Bytes& out, const Hello& f);
void encode(Bytes& out, const Login& f);
void encode(Bytes& out, const Send& f);
void encode_ack(Bytes& out, std::span<const std::uint64_t> ids);  // 1..kMaxAckIds ids
void encode(Bytes& out, const PresenceSubscribe& f);
void encode(Bytes& out, const PresenceUnsubscribe& f);
void encode(Bytes& out, const StatusQuery& f);
void encode(Bytes& out, const Ping& f);
void encode(Bytes& out, const ClientBye& f);
void encode(Bytes& out, const HelloOk& f);
void encode(Bytes& out, const LoginOk& f);
void encode(Bytes& out, const SendAck& f);
void encode(Bytes& out, const Deliver& f);
void encode(Bytes& out, const Presence& f);
void encode(Bytes& out, const Pong& f);
void encode(Bytes& out, const Error& f);
void encode(Bytes& out, const Bye& f);
void encode(Bytes& out, const Redirect& f);
void encode(Bytes& out, const ClientFrame& f);  // dispatch on the variant
void encode(Bytes& out, const ServerFrame& f);

// Stream reassembly for one connection: bytes in, whole frames out. Owns a buffer bounded by
// max_frame_length + one read chunk; a frame's view stays valid until the next call to
// prepare()/feed()/next(). Not thread-safe (one per connection, used by its owner only).
class FrameReader {
 public:
  enum class State { kFrame, kNeedMore, kError };

  explicit FrameReader(std::uint32_t max_frame_length = kMaxFrameLength);

  // Zero-copy receive: write up to n bytes into prepare(n), then commit(bytes_written).
  std::span<std::uint8_t> prepare(std::size_t n);
  void commit(std::size_t n);
  // Copying receive.
  void feed(std::span<const std::uint8_t> bytes);

  // The next whole frame, if any. kError is sticky; error() tells why (kFrameTooLarge/kBadFrame).
  State next(FrameView& out);
  ErrorCode error() const { return error_; }
  std::size_t buffered() const { return end_ - begin_; }

 private:
  void compact();
  std::uint32_t max_frame_length_;
  std::vector<std::uint8_t> buf_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last received byte
  bool failed_ = false;
  ErrorCode error_ = ErrorCode::kBadFrame;
};

}  // namespace iris::protocol
