#pragma once
// Messages between router shards. Each travels through a bounded, FIFO mailbox per (source,
// target) pair, so per-sender order holds across shards. RouteMessage, SendOutcome and the
// presence messages also travel between nodes, over one FIFO peer link per pair of nodes
// (engine/peer/peer_codec.h encodes them; docs/cluster.md).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "engine/cluster/reconfig.h"
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
  // A user's old owner -> its new owner after a view change (HANDOVER_MESSAGE on the wire): a
  // message of the moved inbox, `relay_id` its id at the old owner. Accepted whatever else waits.
  bool handover = false;
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
  // The answer to a hand-over message (HANDOVER_OUTCOME on the wire): the moved user, whose
  // shard at the old owner takes it. Empty for every other outcome.
  std::string recipient;
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

// Driver -> every shard of a node: a step of a view change (engine/cluster/reconfig.h), in the
// order the node took them. Never refused.
struct ViewEvent {
  enum class Kind : std::uint8_t {
    kFreeze,        // `view` is a proposal: refuse sends whose sender or recipient it moves, mark
                    // what is in flight, report kDrained once that is answered
    kThaw,          // the proposal of `epoch` is dropped: back to normal
    kCommit,        // `view` is the view now (`previous` the one before it): hand over the users
                    // this node no longer owns, unless `handed_over` (done before a restart)
    kHandoverDone,  // member `node` has handed over what it lost in `epoch`
  };
  Kind kind = Kind::kThaw;
  std::shared_ptr<const cluster::View> view;
  std::shared_ptr<const cluster::View> previous;
  bool handed_over = false;
  cluster::NodeIndex node = 0;
  std::uint64_t epoch = 0;
  std::uint64_t round = 0;  // kFreeze, kThaw: which proposal of `epoch`
};

// The step a Reconfig action asks of every shard of its node (FreezeShards, ThawShards,
// CommitShards, HandoverDone), or nothing for the actions the driver carries out itself.
std::optional<ViewEvent> shard_event_of(const cluster::ReconfigAction& action);

// Shard -> every other shard of its node when it freezes, behind whatever it posted before: once a
// shard has every other shard's mark, nothing accepted before the freeze is still on its way to it.
struct FreezeMark {
  ShardId from = 0;
  std::uint64_t epoch = 0;
  std::uint64_t round = 0;
};

using ShardMessage = std::variant<RouteMessage, SendOutcome, AdoptSession, PresenceRequest,
                                  PresenceNotice, PeerStatus, ViewEvent, FreezeMark>;

}  // namespace iris::core
