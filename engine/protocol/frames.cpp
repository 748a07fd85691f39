#include "engine/protocol/frames.h"

#include <cassert>

namespace iris::protocol {

std::uint64_t Ack::id(std::size_t i) const {
  assert(i < count());
  const std::uint8_t* p = raw_ids.data() + 8 * i;
  std::uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v = (v << 8) | p[k];  // folded into one load + bswap
  return v;
}

const char* to_string(FrameType t) {
  switch (t) {
    case FrameType::kHello:
      return "HELLO";
    case FrameType::kLogin:
      return "LOGIN";
    case FrameType::kSend:
      return "SEND";
    case FrameType::kAck:
      return "ACK";
    case FrameType::kPresenceSubscribe:
      return "PRESENCE_SUBSCRIBE";
    case FrameType::kPresenceUnsubscribe:
      return "PRESENCE_UNSUBSCRIBE";
    case FrameType::kStatus:
      return "STATUS";
    case FrameType::kPing:
      return "PING";
    case FrameType::kClientBye:
      return "CLIENT_BYE";
    case FrameType::kHelloOk:
      return "HELLO_OK";
    case FrameType::kLoginOk:
      return "LOGIN_OK";
    case FrameType::kSendAck:
      return "SEND_ACK";
    case FrameType::kDeliver:
      return "DELIVER";
    case FrameType::kPresence:
      return "PRESENCE";
    case FrameType::kPong:
      return "PONG";
    case FrameType::kError:
      return "ERROR";
    case FrameType::kBye:
      return "BYE";
    case FrameType::kRedirect:
      return "REDIRECT";
  }
  return "UNKNOWN";
}

const char* to_string(SendStatus s) {
  switch (s) {
    case SendStatus::kOk:
      return "OK";
    case SendStatus::kRetryLater:
      return "RETRY_LATER";
    case SendStatus::kTooLarge:
      return "TOO_LARGE";
    case SendStatus::kUnknownRecipient:
      return "UNKNOWN_RECIPIENT";
    case SendStatus::kStoreUnavailable:
      return "STORE_UNAVAILABLE";
    case SendStatus::kInvalid:
      return "INVALID";
  }
  return "UNKNOWN";
}

const char* to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::kBadFrame:
      return "BAD_FRAME";
    case ErrorCode::kFrameTooLarge:
      return "FRAME_TOO_LARGE";
    case ErrorCode::kUnsupportedVersion:
      return "UNSUPPORTED_VERSION";
    case ErrorCode::kAuthFailed:
      return "AUTH_FAILED";
    case ErrorCode::kProtocolViolation:
      return "PROTOCOL_VIOLATION";
    case ErrorCode::kRateLimited:
      return "RATE_LIMITED";
    case ErrorCode::kInternal:
      return "INTERNAL";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

const char* to_string(ByeReason r) {
  switch (r) {
    case ByeReason::kShutdown:
      return "SHUTDOWN";
    case ByeReason::kSlowConsumer:
      return "SLOW_CONSUMER";
    case ByeReason::kIdle:
      return "IDLE";
    case ByeReason::kReplaced:
      return "REPLACED";
    case ByeReason::kClientBye:
      return "CLIENT_BYE";
    case ByeReason::kHomeUnreachable:
      return "HOME_UNREACHABLE";
  }
  return "UNKNOWN";
}

}  // namespace iris::protocol
