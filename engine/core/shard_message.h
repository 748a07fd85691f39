#pragma once
// Messages between router shards. Each travels through a bounded, FIFO mailbox per (source,
// target) pair, so per-sender order holds across shards.

#include <cstdint>
#include <string>
#include <variant>

#include "engine/core/types.h"
#include "engine/protocol/frames.h"

namespace iris::core {

// Sender's home shard -> recipient's home shard: a message to accept into the recipient's inbox.
struct RouteMessage {
  std::string sender;
  std::string recipient;
  std::uint64_t client_msg_id = 0;
  std::uint64_t accepted_us = 0;
  std::string payload;
};

// Recipient's home shard -> sender's home shard: the outcome for the sender's SEND_ACK.
struct SendOutcome {
  std::string sender;
  std::uint64_t client_msg_id = 0;
  protocol::SendStatus status = protocol::SendStatus::kOk;
  std::uint64_t server_msg_id = 0;
  std::uint32_t retry_after_ms = 0;
};

// A connection whose user lives on another shard: the local shard handled HELLO/LOGIN and hands
// the session to the user's home shard.
struct AdoptSession {
  ConnId conn = 0;
  std::string user;
  SessionId session = 0;
};

// Subscriber's home shard -> target's home shard.
struct PresenceRequest {
  enum class Kind : std::uint8_t { kSubscribe, kUnsubscribe, kQuery };
  Kind kind = Kind::kQuery;
  std::string requester;
  std::string target;
};

// Target's home shard -> subscriber's home shard.
struct PresenceNotice {
  std::string subscriber;
  std::string target;
  protocol::PresenceState state = protocol::PresenceState::kOffline;
  std::uint64_t last_seen_ms = 0;
};

using ShardMessage =
    std::variant<RouteMessage, SendOutcome, AdoptSession, PresenceRequest, PresenceNotice>;

}  // namespace iris::core
