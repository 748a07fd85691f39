#pragma once
// Private state of a Shard, shared by its implementation files only (not part of the API).

#include <set>

#include "engine/core/shard.h"

namespace iris::core {

// Order under refusals. Every id refused to this sender (for load, or because it was held back)
// is recorded; an id later than the oldest recorded one is refused and recorded in turn, the
// oldest passes (and leaves the set). So the ids come back, and are accepted, in id order: a
// message refused only because an earlier one was (and still on its way back to the client when
// that earlier one returned) cannot be overtaken by a new one. Client ids increase in send order
// (docs/protocol.md), which is what makes "later" known.
//
// The hold lapses when the oldest recorded id has not come back for hold_us (a sender that gave
// up on it, e.g. a restarted client). At most kMaxOrderHoldIds ids are recorded; a sender with
// more refused messages outstanding than that may see the ones beyond it reordered.
inline constexpr std::size_t kMaxOrderHoldIds = 4096;

struct OrderHold {
  std::set<std::uint64_t> refused;  // empty: no hold
  std::uint64_t until_us = 0;       // lapse time: the oldest id's last return (or first refusal)

  // True when `cid` must be refused (the caller then calls refuse()). The oldest recorded id
  // passes and leaves the set; an id older than all recorded ones passes.
  bool holds_back(std::uint64_t cid, std::uint64_t now, std::uint64_t hold_us) {
    if (refused.empty()) return false;
    if (now >= until_us) {
      refused.clear();
      return false;
    }
    auto oldest = refused.begin();
    if (cid < *oldest) return false;
    if (cid == *oldest) {
      refused.erase(oldest);
      until_us = now + hold_us;  // progress: the next one gets a full hold_us to come back
      return false;
    }
    return true;
  }
  void refuse(std::uint64_t cid, std::uint64_t now, std::uint64_t hold_us) {
    if (refused.empty()) until_us = now + hold_us;
    if (refused.size() < kMaxOrderHoldIds) refused.insert(cid);
  }
  bool empty() const { return refused.empty(); }
};

// InboxMessage::delivered_on of a hand-off queue message forwarded to its owner node.
inline constexpr SessionId kReplaySession = ~SessionId{0};

// Fixed per-message bookkeeping counted against shard_memory_limit besides payload and sender.
inline constexpr std::uint64_t kMessageOverhead = 128;

enum class Durability : std::uint8_t { kVolatile, kPersisting, kDurable };

struct Shard::InboxMessage {
  std::string sender;
  std::uint64_t client_msg_id = 0;
  std::uint64_t accepted_us = 0;
  std::string payload;
  std::string target;  // hand-off queues only: the real recipient
  cluster::NodeIndex origin = cluster::kLocalNode;  // sender's node, when it came from another
  std::uint64_t relay_id = 0;                        // ... and its id there (for the outcome)
  std::uint32_t bucket = 0;
  Durability durability = Durability::kVolatile;
  bool maybe_stored = false;     // a write was attempted: delete from the store when acked
  bool handover_in = false;      // came from its old owner: answered with a HANDOVER_OUTCOME
  bool outcome_sent = false;     // the sender has its SEND_ACK (or never needs one: loaded row)
  bool recipient_acked = false;  // acked while a store write was in flight
  SessionId delivered_on = 0;    // session it is in flight on; 0 = not in flight

  std::uint64_t footprint() const {
    return payload.size() + sender.size() + target.size() + kMessageOverhead;
  }
};

struct Shard::UserState {
  std::string id;
  Session* session = nullptr;
  std::map<std::uint64_t, InboxMessage> inbox;  // unacked messages held in memory, by id
  std::uint64_t memory_bytes = 0;               // footprint of `inbox`

  // The store may hold messages with id >= spill_from that are not in `inbox` (evicted after
  // they became durable, or left by an earlier run). Delivery stops there until a load fills in.
  bool spilled = true;
  std::uint64_t spill_from = 0;
  bool loading = false;
  std::uint64_t evicted_while_loading = 0;         // lowest id evicted during a load; 0 = none
  std::vector<std::uint64_t> acked_while_loading;  // not to be re-added from the load's rows
  std::uint64_t load_retry_at_us = 0;

  // Presence.
  std::uint64_t last_seen_ms = 0;
  bool last_seen_known = false;
  bool last_seen_loading = false;
  std::vector<std::string> waiting_for_last_seen;  // requesters to answer once it is loaded
  std::unordered_set<std::string> subscribers;
  bool presence_dirty = false;
  std::uint64_t presence_due_us = 0;
  std::uint64_t last_presence_us = 0;

  DedupWindow dedup;
  std::uint64_t last_active_us = 0;
  std::unordered_map<std::string, OrderHold> holds;  // by sender: refused here, order kept

  // Hot-recipient detection (accepted messages per window) and buckets.
  std::uint32_t buckets = 1;
  std::uint64_t window_start_us = 0;
  std::uint32_t window_count = 0;
  std::uint32_t quiet_windows = 0;
  std::vector<std::uint64_t> bucket_accepted;  // per bucket, since promotion

  // Hinted hand-off queue for member queue_node (the user id is handoff_queue_name()): its
  // "delivery" forwards to that node; an OK outcome from there acts as the ACK.
  cluster::NodeIndex queue_node = cluster::kLocalNode;
  // A user this node lost in a view change: its inbox replays to its new owner (queue_node) as
  // HANDOVER_MESSAGEs, and the new owner's answers act as ACKs.
  bool handover = false;
  std::uint64_t replay_cursor = 0;  // highest id forwarded
  std::uint32_t replay_inflight = 0;
  std::uint64_t replay_retry_at_us = 0;  // 0: not waiting out a refusal

  explicit UserState(std::string user, std::uint32_t dedup_capacity)
      : id(std::move(user)), dedup(dedup_capacity) {}

  bool idle() const {
    return session == nullptr && inbox.empty() && !loading && !last_seen_loading &&
           subscribers.empty() && dedup.pending() == 0 && !presence_dirty && buckets == 1 &&
           !(handover && spilled);
  }
};

struct Shard::Session {
  SessionId id = 0;
  ConnId conn = 0;
  UserState* user = nullptr;
  std::uint64_t cursor = 0;  // highest message id sent on this session
  std::uint32_t inflight = 0;
  std::uint64_t inflight_bytes = 0;
  std::uint64_t window_full_since_us = 0;  // 0 = window not full
  TokenBucket msg_rate;
  TokenBucket byte_rate;
  OrderHold send_hold;  // refusals made on the sender's side (rate limit, full mailbox)
  std::set<std::string> subscriptions;
};

template <typename Frame>
void Shard::send_frame(ConnId conn, const Frame& frame) {
  out_.clear();
  protocol::encode(out_, frame);
  env_.send(conn, out_);
}

}  // namespace iris::core
