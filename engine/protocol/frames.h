#pragma once
// Iris client wire protocol, version 1: frame types, limits and codes. docs/protocol.md is the
// normative text; this header mirrors it. Every frame on the wire is
//   u32 length (big-endian, counts type + body) | u8 type | body
// Decoded frames are *views*: string_view/span members point into the caller's input buffer and
// are valid only while that buffer is.

#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace iris::protocol {

inline constexpr std::uint8_t kProtocolVersion = 1;

// Limits. A frame whose length field exceeds kMaxFrameLength is rejected before any body byte is
// buffered, so a hostile length never makes the receiver allocate.
inline constexpr std::uint32_t kMaxPayload = 64 * 1024;         // SEND / DELIVER payload bytes
inline constexpr std::uint32_t kMaxUserId = 64;                  // user id bytes (UTF-8, non-empty)
inline constexpr std::uint32_t kMaxToken = 512;                  // LOGIN token bytes
inline constexpr std::uint32_t kMaxText = 1024;                  // ERROR / BYE text bytes
inline constexpr std::uint32_t kMaxClientName = 64;              // HELLO client name bytes
inline constexpr std::uint32_t kMaxAckIds = 256;                 // ids in one ACK frame
inline constexpr std::uint32_t kMaxAddress = 255;                // REDIRECT address bytes
inline constexpr std::uint32_t kMaxFrameLength = kMaxPayload + 256;  // type + body
inline constexpr std::size_t kHeaderSize = 5;                    // u32 length + u8 type

// One opcode space per direction: client->server below 0x80, server->client at or above.
enum class FrameType : std::uint8_t {
  // client -> server
  kHello = 0x01,
  kLogin = 0x02,
  kSend = 0x03,
  kAck = 0x04,
  kPresenceSubscribe = 0x05,
  kPresenceUnsubscribe = 0x06,
  kStatus = 0x07,
  kPing = 0x08,
  kClientBye = 0x09,
  // server -> client
  kHelloOk = 0x81,
  kLoginOk = 0x82,
  kSendAck = 0x83,
  kDeliver = 0x84,
  kPresence = 0x85,
  kPong = 0x86,
  kError = 0x87,
  kBye = 0x88,
  kRedirect = 0x89,
};

// SEND_ACK status (u8).
enum class SendStatus : std::uint8_t {
  kOk = 0,
  kRetryLater = 1,        // a queue is full or the sender is over its rate; retry after a pause
  kTooLarge = 2,          // payload over kMaxPayload (never sent by a conforming client)
  kUnknownRecipient = 3,  // recipient id invalid (empty, too long) or rejected
  kStoreUnavailable = 4,  // the store cannot take writes (disk full, write errors)
  kInvalid = 5,           // malformed request (e.g. client message id 0)
};

// ERROR code (u16). After an ERROR frame the server closes the connection.
enum class ErrorCode : std::uint16_t {
  kBadFrame = 1,            // undecodable bytes, unknown type, field out of range
  kFrameTooLarge = 2,       // length field over kMaxFrameLength
  kUnsupportedVersion = 3,  // HELLO version not spoken by this node
  kAuthFailed = 4,          // LOGIN token invalid, expired or wrongly signed
  kProtocolViolation = 5,   // valid frame at the wrong time (SEND before LOGIN, second HELLO)
  kRateLimited = 6,         // connection far over its limits
  kInternal = 7,
  kUnavailable = 8,         // node is draining or overloaded; see BYE's reconnect hint
};

// BYE reason (u8), server -> client. The reconnect hint says when to come back (0 = do not).
enum class ByeReason : std::uint8_t {
  kShutdown = 1,      // node is draining (SIGTERM)
  kSlowConsumer = 2,  // outbound queue over the hard limit
  kIdle = 3,
  kReplaced = 4,      // the same user logged in on another connection
  kClientBye = 5,     // answer to the client's BYE
  kHomeUnreachable = 6,  // the user's home node cannot be reached from this node; reconnect (to
                         // any node) after the hint
};

enum class PresenceState : std::uint8_t { kOffline = 0, kOnline = 1 };

// ---- client -> server ----
struct Hello {
  std::uint8_t version = kProtocolVersion;
  std::string_view client_name;  // <= kMaxClientName
};
struct Login {
  std::string_view token;  // <= kMaxToken
};
struct Send {
  std::uint64_t client_msg_id = 0;  // non-zero, unique per sender within the dedup window
  std::string_view recipient;       // 1..kMaxUserId
  std::span<const std::uint8_t> payload;  // <= kMaxPayload
};
struct Ack {
  std::span<const std::uint8_t> raw_ids;  // n * u64 big-endian, 1 <= n <= kMaxAckIds
  std::size_t count() const { return raw_ids.size() / 8; }
  std::uint64_t id(std::size_t i) const;
};
struct PresenceSubscribe {
  std::string_view user;
};
struct PresenceUnsubscribe {
  std::string_view user;
};
struct StatusQuery {
  std::string_view user;
};
struct Ping {
  std::uint64_t nonce = 0;
};
struct ClientBye {
  std::string_view reason;  // <= kMaxText
};

// ---- server -> client ----
struct HelloOk {
  std::uint8_t version = kProtocolVersion;
  std::uint32_t max_frame_length = kMaxFrameLength;
  std::string_view node_id;  // <= kMaxUserId
};
struct LoginOk {
  std::string_view user;
  std::uint64_t session_id = 0;
};
struct SendAck {
  std::uint64_t client_msg_id = 0;
  SendStatus status = SendStatus::kOk;
  std::uint64_t server_msg_id = 0;  // 0 unless status == kOk
  std::uint32_t retry_after_ms = 0;  // hint for kRetryLater, else 0
};
struct Deliver {
  std::uint64_t server_msg_id = 0;
  std::string_view sender;
  std::uint64_t client_msg_id = 0;  // the sender's id: a second copy after a node crash is
                                    // recognisable by (sender, client_msg_id)
  std::uint64_t server_ts_us = 0;  // microseconds since the Unix epoch, when the node accepted it
  std::span<const std::uint8_t> payload;
};
struct Presence {
  std::string_view user;
  PresenceState state = PresenceState::kOffline;
  std::uint64_t last_seen_ms = 0;  // Unix ms; 0 = never seen
};
struct Pong {
  std::uint64_t nonce = 0;
};
struct Error {
  ErrorCode code = ErrorCode::kBadFrame;
  std::string_view text;
};
struct Bye {
  ByeReason reason = ByeReason::kShutdown;
  std::uint32_t reconnect_after_ms = 0;
  std::string_view text;
};

// A node in a cluster answers LOGIN with REDIRECT (instead of LOGIN_OK) when the user's home is
// another node, then closes the connection; the client logs in again there.
struct Redirect {
  std::string_view node_id;  // the home node's id, 1..kMaxUserId
  std::string_view address;  // host:port clients connect to, <= kMaxAddress ("" in the simulator)
};

using ClientFrame = std::variant<Hello, Login, Send, Ack, PresenceSubscribe, PresenceUnsubscribe,
                                 StatusQuery, Ping, ClientBye>;
using ServerFrame =
    std::variant<HelloOk, LoginOk, SendAck, Deliver, Presence, Pong, Error, Bye, Redirect>;

const char* to_string(FrameType t);
const char* to_string(SendStatus s);
const char* to_string(ErrorCode c);
const char* to_string(ByeReason r);

}  // namespace iris::protocol
