// The cluster paths of a Shard: forwarding to a user's owner node, hinted hand-off while that node
// is unreachable, replay when it is back, and what a failed link does to messages in flight
// (docs/cluster.md states the guarantees).
//
// Every message from this node to users owned by node T goes through one shard of this node, the
// relay shard for T = shard_of(handoff_queue_name(T)), so there is one FIFO per owner node:
//  - T is up and its queue is known to be empty: forward at once; forwards_ keeps a copy until T
//    answers with the outcome, which goes on to the sender's shard;
//  - otherwise: accept into the queue, an inbox named handoff_queue_name(T) (durable, spilled and
//    loaded like any inbox). The sender's SEND_ACK comes when the row is durable. While T is up
//    the queue replays to T in id order, and T's OK outcome removes the row, as an ACK would.
// A failed link turns the forwards still unanswered into queued messages, each sender's in the
// order it sent them and before anything newer, so per-sender order holds across the switch. T
// may have taken some of them already: it then stores them twice, and the recipient's client
// drops the second copy by (sender, client_msg_id) (docs/protocol.md).

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/common/logging.h"
#include "engine/core/shard.h"
#include "engine/core/shard_state.h"

namespace iris::core {

using protocol::SendStatus;

namespace {
constexpr std::uint32_t kReplayWindow = 256;             // replayed messages awaiting T's outcome
constexpr std::uint64_t kDirectBit = 1ull << 63;         // relay ids of direct forwards
constexpr std::uint64_t kMaxForwardBytes = 64ull << 20;  // beyond: queue instead of forwarding
constexpr std::uint64_t kIncarnationMask = (1ull << 20) - 1;  // as in message ids (types.h)
constexpr int kRelaySeqBits = 43;
// A route to another node: the real recipient, the view epoch it was made under (the fence), and
// the relay id its outcome will name.
RouteMessage outgoing_route(const std::string& sender, const std::string& recipient,
                            std::uint64_t client_msg_id, std::uint64_t accepted_us,
                            const std::string& payload, std::uint64_t epoch,
                            std::uint64_t relay_id) {
  RouteMessage out;
  out.sender = sender;
  out.recipient = recipient;
  out.client_msg_id = client_msg_id;
  out.accepted_us = accepted_us;
  out.payload = payload;
  out.epoch = epoch;
  out.relay_id = relay_id;
  return out;
}
}  // namespace

bool Shard::peer_up(cluster::NodeIndex node) const {
  return node < peer_up_.size() && peer_up_[node];
}

bool Shard::post_to_user(const std::string& user, ShardMessage message) {
  if (const cluster::View* view = this->view(); view && !view->owns(user)) {
    return env_.post_node(view->owner_of(user), std::move(message));
  }
  ShardId home = shard_of(user, config_.shards);
  if (home == id_) {
    on_message(std::move(message));
    return true;
  }
  return env_.post(home, std::move(message));
}

bool Shard::queue_known_empty(const UserState& q) const {
  return q.inbox.empty() && !q.spilled && !q.loading;
}

bool Shard::relay_route(UserState& q, RouteMessage& r) {
  const cluster::View* view = this->view();
  const cluster::NodeIndex node = q.queue_node;
  if (view == nullptr || !peer_up(node) || !queue_known_empty(q) || draining_ ||
      forward_bytes_ + r.payload.size() > kMaxForwardBytes) {
    return false;
  }
  // Unique across this node's restarts too: a peer may answer a forward of a past incarnation
  // after this one started (found by the simulator, MIX seed 7659).
  const std::uint64_t relay_id = kDirectBit | ((incarnation_ & kIncarnationMask) << kRelaySeqBits) |
                                 (++forward_seq_ & ((1ull << kRelaySeqBits) - 1));
  RouteMessage out = outgoing_route(r.sender, r.target, r.client_msg_id, r.accepted_us, r.payload,
                                    view->epoch, relay_id);
  last_relay_id_ = relay_id;
  if (!env_.post_node(node, std::move(out))) {
    peer_down(node);  // its forwards go to the queue first; the caller queues r after them
    return false;
  }
  metrics_.forwarded.add();
  forward_bytes_ += r.payload.size();
  forwards_.emplace(relay_id, Forward{node, std::move(r)});
  return true;
}

void Shard::replay_handoff(UserState& q) {
  const cluster::View* view = this->view();
  const cluster::NodeIndex node = q.queue_node;
  if (view == nullptr || !peer_up(node) || q.loading || draining_ || q.replay_retry_at_us != 0 ||
      config_.sabotage == Sabotage::kStopHandoffReplay) {
    return;
  }
  auto it = q.inbox.upper_bound(q.replay_cursor);
  for (; it != q.inbox.end() && q.replay_inflight < kReplayWindow; ++it) {
    if (q.spilled && it->first >= q.spill_from) break;
    InboxMessage& m = it->second;
    if (m.delivered_on != 0 || m.recipient_acked) continue;
    // A hand-over replays the user's own inbox: the recipient is the user itself.
    RouteMessage out = outgoing_route(m.sender, q.handover ? q.id : m.target, m.client_msg_id,
                                      m.accepted_us, m.payload, view->epoch, it->first);
    out.handover = q.handover;
    if (!env_.post_node(node, std::move(out))) {
      peer_down(node);
      return;
    }
    (q.handover ? metrics_.handover_sent : metrics_.handoff_replayed).add();
      m.delivered_on = kReplaySession;
    q.replay_cursor = it->first;
    ++q.replay_inflight;
  }
  bool reached_gap = it == q.inbox.end() || (q.spilled && it->first >= q.spill_from);
  if (q.spilled && reached_gap && q.load_retry_at_us == 0 && q.replay_inflight < kReplayWindow) {
    start_load(q);
  }
}

void Shard::on_peer_outcome(SendOutcome&& o) {
  if (o.relay_id & kDirectBit) {
    auto it = forwards_.find(o.relay_id);
    if (it == forwards_.end() || it->second.route.sender != o.sender ||
        it->second.route.client_msg_id != o.client_msg_id) {
      return;  // taken back into the queue after a link failure, or not ours
    }
    forward_bytes_ -= it->second.route.payload.size();
    if (o.status != SendStatus::kOk) {
      // Refused by the owner: later forwards from this sender that come back here (a link
      // failure requeues them) must not overtake it when it is resent.
      UserState& q = user(it->second.route.recipient);
      q.holds[o.sender].refuse(o.client_msg_id, env_.now_us(), config_.order_hold_us);
    }
    forwards_.erase(it);
    reply_outcome(o.sender, o.client_msg_id, o.status, o.server_msg_id, o.retry_after_ms);
    return;
  }
  const cluster::View* view = this->view();
  if (view == nullptr || o.origin >= view->size()) return;
  // A hand-over's answer names the moved user; a hand-off queue's comes to the queue for its node.
  UserState* q = o.recipient.empty()
                     ? find_user(cluster::handoff_queue_name(view->members[o.origin].id))
                     : find_user(o.recipient);
  if (q == nullptr || q->queue_node != o.origin || q->handover != !o.recipient.empty()) return;
  auto it = q->inbox.find(o.relay_id);
  if (it == q->inbox.end() || it->second.delivered_on != kReplaySession ||
      it->second.sender != o.sender || it->second.client_msg_id != o.client_msg_id) {
    return;  // stale: answered already, or replayed again since
  }
  --q->replay_inflight;
  it->second.delivered_on = 0;
  const bool retry =
      o.status == SendStatus::kRetryLater || o.status == SendStatus::kStoreUnavailable;
  if (retry) {
    // Resent from here, in order, once the owner's hint has passed.
    q->replay_cursor = std::min(q->replay_cursor, o.relay_id - 1);
    q->replay_retry_at_us = env_.now_us() + std::max<std::uint64_t>(1, o.retry_after_ms) * 1000;
    replay_retry_.push_back(q->id);
    return;
  }
  if (o.status != SendStatus::kOk) {  // final: the owner will never take it
    spdlog::error("hand-off: node {} refused a queued message for {} for good ({}); dropped",
                  view->members[o.origin].id, q->handover ? q->id : it->second.target,
                  protocol::to_string(o.status));
  }
  settle(*q, it, o.server_msg_id);
  replay_handoff(*q);
  if (q->handover && handed_over(*q)) check_handed_over();
}

void Shard::on_peer_status(const PeerStatus& p) {
  if (p.node >= peer_up_.size()) peer_up_.resize(p.node + 1, false);
  if (!p.up) {
    peer_down(p.node);
    return;
  }
  peer_up_[p.node] = true;
  const cluster::View* view = this->view();
  if (view == nullptr || p.node >= view->size()) return;
  for (const auto& id : handing_over_) {
    if (UserState* u = find_user(id); u != nullptr && u->queue_node == p.node) replay_handoff(*u);
  }
  std::string queue = cluster::handoff_queue_name(view->members[p.node].id);
  if (shard_of(queue, config_.shards) != id_) return;
  replay_handoff(user(queue));  // a new queue starts "spilled": it loads what a past run left
}

void Shard::peer_down(cluster::NodeIndex node) {
  if (node < peer_up_.size()) peer_up_[node] = false;
  const cluster::View* view = this->view();
  if (view == nullptr || node >= view->size()) return;
  std::string queue = cluster::handoff_queue_name(view->members[node].id);
  auto rewind = [](UserState& q) {
    for (auto& [id, m] : q.inbox) {
      if (m.delivered_on == kReplaySession) m.delivered_on = 0;
    }
    q.replay_inflight = 0;
    q.replay_cursor = 0;
  };
  for (const auto& id : handing_over_) {
    if (UserState* u = find_user(id); u != nullptr && u->queue_node == node) rewind(*u);
  }
  if (shard_of(queue, config_.shards) != id_) return;
  if (UserState* q = find_user(queue)) rewind(*q);
  std::vector<RouteMessage> back;
  for (auto it = forwards_.begin(); it != forwards_.end();) {
    if (it->second.node != node) {
      ++it;
      continue;
    }
    forward_bytes_ -= it->second.route.payload.size();
    back.push_back(std::move(it->second.route));
    it = forwards_.erase(it);
  }
  if (!back.empty()) {
    logging::event(spdlog::level::info, "forwards_requeued",
                   {{"node", view->members[node].id}, {"count", std::to_string(back.size())}});
  }
  // Per sender in client id order, which is the order the sender sent them in. Relay-id order (the
  // order they went to T) is not always that: a message T refused and its sender sent again goes
  // out after later ones already on their way, which T holds back until it comes again; if T
  // dies before it answers, relay-id order would queue the later ones first (found by the
  // simulator, MIX seed 11645, with a lossy link delaying T's answers).
  std::stable_sort(back.begin(), back.end(), [](const RouteMessage& a, const RouteMessage& b) {
    return a.sender != b.sender ? a.sender < b.sender : a.client_msg_id < b.client_msg_id;
  });
  bool drain_them = proposal_ && freeze_.marked && !back.empty() &&
                    std::any_of(back.begin(), back.end(), [this](const RouteMessage& r) {
                      return r.relay_id <= freeze_.relay_mark;
                    });
  for (auto& r : back) {
    metrics_.forwards_requeued.add();
    accept_route(std::move(r));
  }
  // Frozen, and forwards from before the freeze came back: they are queue rows now, with new
  // ids, and the drain must still wait for them (else the view could change with them queued).
  if (drain_them) freeze_.message_mark = make_message_id(incarnation_, id_, seq_);
}

void Shard::retry_replays(std::uint64_t now) {
  if (replay_retry_.empty()) return;
  std::vector<std::string> waiting;
  for (auto& id : replay_retry_) {
    UserState* q = find_user(id);
    if (q == nullptr || q->replay_retry_at_us == 0) continue;
    if (q->replay_retry_at_us > now) {
      waiting.push_back(std::move(id));
      continue;
    }
    q->replay_retry_at_us = 0;
    replay_handoff(*q);
  }
  replay_retry_ = std::move(waiting);
}

}  // namespace iris::core
