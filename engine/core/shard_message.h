#pragma once
// Messages between router shards. Each travels through a bounded, FIFO mailbox per (source,
// target) pair, so per-sender order holds across shards. RouteMessage, SendOutcome and the
// presence messages also travel between nodes, over one FIFO peer link per pair of nodes
// (engine/peer/peer_codec.h encodes them; docs/cluster.md).

#include <cstdint>
#include <string>
#include <variant>

#include "engine/cluster/view.h"
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
  // Between nodes. `origin` is set by the receiving driver from the link it came in on (never
  // on the wire); `epoch` is the origin's cluster view epoch (the owner fences on it);
  // `relay_id` names this attempt at the origin and comes back in the SendOutcome.
  cluster::NodeIndex origin = cluster::kLocalNode;
  std::uint64_t epoch = 0;
  std::uint64_t relay_id = 0;
  // Local only: the real recipient of a message queued for hinted hand-off (`recipient` is then
  // the queue's reserved name, cluster::handoff_queue_name()).
  std::string target;
};

// Recipient's home shard -> sender's home shard: the outcome for the sender's SEND_ACK.
struct SendOutcome {
  std::string sender;
  std::uint64_t client_msg_id = 0;
  protocol::SendStatus status = protocol::SendStatus::kOk;
  std::uint64_t server_msg_id = 0;
  std::uint32_t retry_after_ms = 0;
  // Between nodes: the RouteMessage's relay_id, echoed; `origin` as in RouteMessage.
  std::uint64_t relay_id = 0;
  cluster::NodeIndex origin = cluster::kLocalNode;
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
  cluster::NodeIndex origin = cluster::kLocalNode;  // set by the receiving driver
};

// Target's home shard -> subscriber's home shard.
struct PresenceNotice {
  std::string subscriber;
  std::string target;
  protocol::PresenceState state = protocol::PresenceState::kOffline;
  std::uint64_t last_seen_ms = 0;
};

// Driver -> every shard of a node: the link to a peer node came up (its circuit closed) or went
// down. Posted in the order the transitions happened; never refused.
struct PeerStatus {
  cluster::NodeIndex node = 0;
  bool up = false;
};

using ShardMessage = std::variant<RouteMessage, SendOutcome, AdoptSession, PresenceRequest,
                                  PresenceNotice, PeerStatus>;

}  // namespace iris::core
