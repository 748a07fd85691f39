// Routing, the in-memory inbox, persistence and acknowledgements.
//
// Invariant: a message accepted for a recipient is, at every moment, in the recipient's in-memory
// inbox, durable in the store, or acknowledged by the recipient (then it is gone). The sender's
// SEND_ACK(kOk) is sent once the message is durable or acknowledged, whichever comes first.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/auth/token.h"
#include "engine/common/logging.h"
#include "engine/core/shard.h"
#include "engine/core/shard_state.h"

namespace iris::core {

using protocol::SendStatus;

namespace {
constexpr std::uint32_t kRetryMemoryMs = 50;
constexpr std::uint32_t kRetryOrderMs = 5;  // held back behind a refused message: retry it first
constexpr std::uint32_t kRetryViewMs = 100;  // a view change is moving the sender or recipient
}

void Shard::handle_send(Session& s, const protocol::Send& send) {
  metrics_.sends.add();
  UserState& u = *s.user;
  std::uint64_t now = env_.now_us();
  u.last_active_us = now;
  auto reply = [&](SendStatus st, std::uint32_t retry_ms) {
    logging::event(spdlog::level::debug, "send_refused",
                   {{"session", std::to_string(s.id)}, {"user", u.id},
                    {"client_msg_id", std::to_string(send.client_msg_id)},
                    {"status", protocol::to_string(st)}});
    send_frame(s.conn, protocol::SendAck{send.client_msg_id, st, 0, retry_ms});
  };
  if (send.client_msg_id == 0 || !auth::valid_user_id(send.recipient)) {
    metrics_.send_rejected_invalid.add();
    reply(send.client_msg_id == 0 ? SendStatus::kInvalid : SendStatus::kUnknownRecipient, 0);
    return;
  }
  if (const auto* seen = u.dedup.find(send.client_msg_id)) {
    metrics_.send_retries_deduped.add();
    if (seen->done) {
      send_frame(s.conn, protocol::SendAck{send.client_msg_id, SendStatus::kOk,
                                           seen->server_msg_id, 0});
    }
    return;  // still pending: its SEND_ACK will follow
  }
  if (s.send_hold.holds_back(send.client_msg_id, now, config_.order_hold_us)) {
    metrics_.send_rejected_order.add();
    s.send_hold.refuse(send.client_msg_id, now, config_.order_hold_us);
    reply(SendStatus::kRetryLater, kRetryOrderMs);
    return;
  }
  std::uint32_t retry_ms = 0;
  if (!s.msg_rate.take(1, now, retry_ms) ||
      !s.byte_rate.take(static_cast<double>(send.payload.size()), now, retry_ms)) {
    metrics_.send_rejected_rate.add();
    s.send_hold.refuse(send.client_msg_id, now, config_.order_hold_us);
    reply(SendStatus::kRetryLater, retry_ms);
    return;
  }
  if (proposal_ && (moves(u.id) || moves(send.recipient))) {
    // A view change is being prepared that gives the sender or the recipient another home: what
    // is already on its way drains first, nothing new joins it (docs/cluster.md).
    metrics_.send_rejected_frozen.add();
    s.send_hold.refuse(send.client_msg_id, now, config_.order_hold_us);
    reply(SendStatus::kRetryLater, kRetryViewMs);
    return;
  }
  u.dedup.add_pending(send.client_msg_id);
  RouteMessage route;
  route.sender = u.id;
  route.recipient = std::string(send.recipient);
  if (sabotage(Sabotage::kMisdirect)) route.recipient = u.id;
  route.client_msg_id = send.client_msg_id;
  route.accepted_us = now;
  route.payload.assign(reinterpret_cast<const char*>(send.payload.data()), send.payload.size());
  if (const cluster::View* view = this->view()) {
    const cluster::NodeIndex owner = view->owner_of(route.recipient);  // one rendezvous pass
    if (owner != view->self) {
      // Owned by another node: through the shard that relays to it (it forwards at once, or
      // queues for hinted hand-off while that node is unreachable; one FIFO per owner node).
      route.target = std::move(route.recipient);
      route.recipient = cluster::handoff_queue_name(view->members[owner].id);
    }
  }
  ShardId home = shard_of(route.recipient, config_.shards);
  if (home == id_) {
    accept_route(std::move(route));
  } else if (!env_.post(home, std::move(route))) {
    u.dedup.forget(send.client_msg_id);
    metrics_.send_rejected_retry_later.add();
    s.send_hold.refuse(send.client_msg_id, now, config_.order_hold_us);
    reply(SendStatus::kRetryLater, kRetryMemoryMs);
  }
}

void Shard::accept_route(RouteMessage&& r) {
  std::uint64_t now = env_.now_us();
  const std::string_view answer_to = r.handover ? std::string_view(r.recipient) : std::string_view();
  if (r.origin != cluster::kLocalNode) {
    // From another node: accept only what this node owns, under the view the route was made in
    // and under its own (the fence). A route made under a view this node does not know, for a user
    // owned elsewhere, or for a user still being handed over to it, is refused: the origin
    // re-routes it once the views agree. A hand-over message needs this node to own the user now.
    const cluster::View* view = this->view();
    bool ok = view != nullptr && !cluster::is_handoff_queue(r.recipient);
    if (ok && r.handover) {
      ok = r.epoch == view->epoch && view->owns(r.recipient);
    } else if (ok) {
      ok = owns_under(r.epoch, r.recipient) && !incoming(r.recipient);
    }
    if (!ok) {
      metrics_.routes_fenced.add();
      logging::event(spdlog::level::info, "route_fenced",
                     {{"sender", r.sender}, {"recipient", r.recipient},
                      {"epoch", std::to_string(r.epoch)}});
      reply_outcome(r.sender, r.client_msg_id, SendStatus::kRetryLater, 0, kRetryMemoryMs,
                    r.origin, r.relay_id, answer_to);
      return;
    }
  }
  UserState& u = user(r.recipient);
  auto refuse = [&](SendStatus st, std::uint32_t retry_ms) {
    logging::event(spdlog::level::debug, "route_refused",
                   {{"sender", r.sender}, {"recipient", u.id},
                    {"client_msg_id", std::to_string(r.client_msg_id)},
                    {"status", protocol::to_string(st)}});
    // A hand-over comes back in order by itself (its old owner rewinds to the refused one).
    if (!r.handover) u.holds[r.sender].refuse(r.client_msg_id, now, config_.order_hold_us);
    reply_outcome(r.sender, r.client_msg_id, st, 0, retry_ms, r.origin, r.relay_id, answer_to);
  };
  if (r.origin == cluster::kLocalNode && !cluster::is_handoff_queue(r.recipient) &&
      incoming(r.recipient)) {
    metrics_.send_rejected_retry_later.add();
    refuse(SendStatus::kRetryLater, kRetryViewMs);  // moved here; its old owner is handing it over
    return;
  }
  if (auto h = u.holds.find(r.sender); !r.handover && h != u.holds.end()) {
    if (h->second.holds_back(r.client_msg_id, now, config_.order_hold_us)) {
      metrics_.send_rejected_order.add();
      h->second.refuse(r.client_msg_id, now, config_.order_hold_us);
      reply_outcome(r.sender, r.client_msg_id, SendStatus::kRetryLater, 0, kRetryOrderMs,
                    r.origin, r.relay_id);
      return;
    }
    if (h->second.empty()) u.holds.erase(h);
  }
  const bool queue = u.queue_node != cluster::kLocalNode;
  if (queue && r.origin == cluster::kLocalNode && relay_route(u, r)) return;  // sent to its owner
  if (!queue && sabotage(Sabotage::kAckThenDrop)) {
    reply_outcome(r.sender, r.client_msg_id, SendStatus::kOk, next_message_id(), 0, r.origin,
                  r.relay_id, answer_to);
    return;
  }
  if (now < store_down_until_us_) {
    metrics_.send_rejected_store.add();
    refuse(SendStatus::kStoreUnavailable,
           static_cast<std::uint32_t>((store_down_until_us_ - now) / 1000 + 1));
    return;
  }
  std::uint64_t footprint = r.payload.size() + r.sender.size() + kMessageOverhead;
  if (draining_ || memory_bytes_ + footprint > memory_limit_) {
    metrics_.send_rejected_retry_later.add();
    refuse(SendStatus::kRetryLater, kRetryMemoryMs);
    return;
  }
  std::uint64_t id = next_message_id();
  InboxMessage m;
  m.bucket = bucket_for(u, r.sender, now);
  m.sender = std::move(r.sender);
  m.client_msg_id = r.client_msg_id;
  m.accepted_us = r.accepted_us;
  m.payload = std::move(r.payload);
  m.target = std::move(r.target);
  m.origin = r.origin;
  m.relay_id = r.relay_id;
  m.handover_in = r.handover;
  memory_bytes_ += m.footprint();
  u.memory_bytes += m.footprint();
  metrics_.memory_bytes.set(static_cast<std::int64_t>(memory_bytes_));
  metrics_.inbox_messages.add(1);
  (r.handover ? metrics_.handover_received
              : queue ? metrics_.handoff_queued : metrics_.sends_accepted).add();
  u.inbox.emplace_hint(u.inbox.end(), id, std::move(m));
  u.last_active_us = now;
  if (u.session != nullptr) {
    persist_later_.push_back({u.id, id, now + config_.persist_delay_us});
    deliver(u);
  } else {
    persist_now_.push_back({u.id, id, now});
    if (u.queue_node != cluster::kLocalNode) replay_handoff(u);
  }
}

// Counts accepted messages per window; promotes a recipient over the threshold to hot_buckets
// buckets, demotes it after hot_cooldown_windows quiet windows. A sender's bucket is a hash of its
// id, so all its messages to this recipient share one bucket while the bucket count holds.
// Changing the count never reorders anything: every bucket lives in this one inbox, merged by id.
std::uint32_t Shard::bucket_for(UserState& u, const std::string& sender, std::uint64_t now) {
  if (now - u.window_start_us >= config_.hot_window_us) {
    bool quiet = u.window_count * 4 < config_.hot_threshold_msgs_per_s *
                                          (config_.hot_window_us / 1e6);
    std::uint64_t empty_windows = (now - u.window_start_us) / config_.hot_window_us - 1;
    u.quiet_windows = static_cast<std::uint32_t>(std::min<std::uint64_t>(
        (quiet ? u.quiet_windows + 1 : 0) + empty_windows, 1u << 30));
    if (u.buckets > 1 && u.quiet_windows >= config_.hot_cooldown_windows) {
      u.buckets = 1;
      metrics_.hot_demotions.add();
      metrics_.hot_users.add(-1);
      logging::event(spdlog::level::info, "hot_recipient_demoted", {{"user", u.id}});
    }
    u.window_start_us = now;
    u.window_count = 0;
  }
  ++u.window_count;
  double limit = config_.hot_threshold_msgs_per_s * (config_.hot_window_us / 1e6);
  if (u.buckets == 1 && config_.hot_buckets > 1 && u.window_count > limit) {
    u.buckets = config_.hot_buckets;
    u.bucket_accepted.assign(u.buckets, 0);
    u.quiet_windows = 0;
    metrics_.hot_promotions.add();
    metrics_.hot_users.add(1);
    logging::event(spdlog::level::info, "hot_recipient_promoted",
                   {{"user", u.id}, {"buckets", std::to_string(u.buckets)}});
  }
  if (u.buckets == 1) return 0;
  auto b = static_cast<std::uint32_t>(fnv1a(sender) % u.buckets);
  ++u.bucket_accepted[b];
  metrics_.bucketed_messages.add();
  return b;
}

void Shard::reply_outcome(const std::string& sender, std::uint64_t client_msg_id, SendStatus st,
                          std::uint64_t server_id, std::uint32_t retry_ms,
                          cluster::NodeIndex origin, std::uint64_t relay_id,
                          std::string_view handover_recipient) {
  SendOutcome outcome{sender, client_msg_id, st, server_id, retry_ms, relay_id,
                      cluster::kLocalNode, std::string(handover_recipient)};
  if (origin != cluster::kLocalNode) {
    // Lost if the link is down: the origin then takes its forwards back itself (peer_down()).
    if (!env_.post_node(origin, std::move(outcome))) metrics_.outcomes_lost.add();
    return;
  }
  ShardId home = shard_of(sender, config_.shards);
  if (home == id_) {
    on_send_outcome(outcome);
  } else {
    env_.post(home, std::move(outcome));
  }
}

void Shard::on_send_outcome(const SendOutcome& o) {
  UserState* u = find_user(o.sender);
  if (u == nullptr) return;
  if (o.status == SendStatus::kOk) {
    u->dedup.complete(o.client_msg_id, o.server_msg_id);
  } else {
    u->dedup.forget(o.client_msg_id);
  }
  if (u->session != nullptr) {
    send_frame(u->session->conn,
               protocol::SendAck{o.client_msg_id, o.status, o.server_msg_id, o.retry_after_ms});
  }
}

void Shard::deliver(UserState& u) {
  if (u.queue_node != cluster::kLocalNode) {
    replay_handoff(u);
    return;
  }
  Session* s = u.session;
  if (s == nullptr || u.loading || draining_) return;
  std::uint64_t now = env_.now_us();
  auto it = u.inbox.upper_bound(s->cursor);
  auto window_full = [&] {
    return s->inflight >= config_.max_inflight_per_session ||
           s->inflight_bytes >= config_.max_inflight_bytes_per_session;
  };
  auto deliverable = [&](std::map<std::uint64_t, InboxMessage>::iterator m) {
    return m != u.inbox.end() && !(u.spilled && m->first >= u.spill_from);
  };
  auto send_one = [&](std::uint64_t id, InboxMessage& m) {
    send_deliver(s->conn, id, m);
    (m.delivered_on == 0 ? metrics_.delivered : metrics_.redelivered).add();
    m.delivered_on = s->id;
    s->cursor = std::max(s->cursor, id);
    ++s->inflight;
    s->inflight_bytes += m.payload.size();
    metrics_.inflight.add(1);
    metrics_.deliver_latency_us.record(now > m.accepted_us ? now - m.accepted_us : 0);
  };
  for (; deliverable(it) && !window_full(); ++it) {
    InboxMessage& m = it->second;
    if (m.recipient_acked) continue;
    if (auto next = std::next(it); deliverable(next) && !next->second.recipient_acked &&
                                   sabotage(Sabotage::kDeliverOutOfOrder)) {
      send_one(next->first, next->second);
      send_one(it->first, m);
      it = next;
      continue;
    }
    send_one(it->first, m);
  }
  if (window_full()) {
    if (s->window_full_since_us == 0) {
      s->window_full_since_us = now;
      window_full_.insert(s->conn);
    }
    return;
  }
  if (s->window_full_since_us != 0) {
    s->window_full_since_us = 0;
    window_full_.erase(s->conn);
  }
  bool reached_gap = it == u.inbox.end() || (u.spilled && it->first >= u.spill_from);
  if (u.spilled && reached_gap && u.load_retry_at_us == 0) start_load(u);
}

void Shard::send_deliver(ConnId conn, std::uint64_t id, const InboxMessage& m) {
  auto payload = [](const std::string& p) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(p.data()),
                                         p.size());
  };
  if (sabotage(Sabotage::kGarbleFrame)) {
    static constexpr std::uint8_t kGarbage[] = {0, 0, 0, 1, 0x7f};  // length 1, unknown type
    env_.send(conn, kGarbage);
    return;
  }
  if (sabotage(Sabotage::kCorruptPayload)) {
    std::string bad = m.payload.empty() ? std::string("?") : m.payload;
    bad[0] = static_cast<char>(bad[0] ^ 0x20);
    send_frame(conn, protocol::Deliver{id, m.sender, m.client_msg_id, m.accepted_us, payload(bad)});
    return;
  }
  send_frame(conn, protocol::Deliver{id, m.sender, m.client_msg_id, m.accepted_us,
                                     payload(m.payload)});
  if (sabotage(Sabotage::kDeliverTwice)) {
    send_frame(conn, protocol::Deliver{next_message_id(), m.sender, m.client_msg_id,
                                       m.accepted_us, payload(m.payload)});
  }
  if (sabotage(Sabotage::kPhantom)) {
    send_frame(conn, protocol::Deliver{next_message_id(), "phantom", 1, m.accepted_us,
                                       payload(m.payload)});
  }
}

void Shard::start_load(UserState& u) {
  u.loading = true;
  u.evicted_while_loading = 0;
  u.acked_while_loading.clear();
  metrics_.inbox_loads.add();
  std::uint64_t after = u.session ? u.session->cursor : u.replay_cursor;
  env_.store().load_inbox(u.id, after, config_.inbox_load_batch,
                          [this, uid = u.id](Result<std::vector<store::StoredMessage>> rows) {
                            on_loaded(uid, std::move(rows));
                          });
}

void Shard::on_loaded(const std::string& user_id, Result<std::vector<store::StoredMessage>> rows) {
  UserState* u = find_user(user_id);
  if (u == nullptr) return;
  u->loading = false;
  if (!rows) {
    spdlog::warn("inbox load for {} failed: {}", user_id, rows.status().to_string());
    u->load_retry_at_us = env_.now_us() + config_.store_retry_us;
    load_retry_.push_back(u->id);
    return;
  }
  auto& acked = u->acked_while_loading;
  for (auto& row : *rows) {
    if (u->inbox.count(row.id) || std::find(acked.begin(), acked.end(), row.id) != acked.end()) {
      continue;
    }
    InboxMessage m;
    m.sender = std::move(row.sender);
    m.client_msg_id = row.client_msg_id;
    m.accepted_us = row.ts_us;
    m.payload = std::move(row.payload);
    m.target = std::move(row.target);
    m.bucket = row.bucket;
    m.durability = Durability::kDurable;
    m.maybe_stored = true;
    m.outcome_sent = true;  // durable before: its sender was answered then
    memory_bytes_ += m.footprint();
    u->memory_bytes += m.footprint();
    metrics_.inbox_messages.add(1);
    u->inbox.emplace(row.id, std::move(m));
  }
  metrics_.memory_bytes.set(static_cast<std::int64_t>(memory_bytes_));
  std::uint64_t from = rows->size() >= config_.inbox_load_batch ? rows->back().id + 1 : 0;
  if (u->evicted_while_loading) from = from ? std::min(from, u->evicted_while_loading)
                                            : u->evicted_while_loading;
  u->spilled = from != 0;
  u->spill_from = from;
  acked.clear();
  if (u->session == nullptr && u->queue_node == cluster::kLocalNode) {
    evict_durable(*u);
  } else {
    deliver(*u);
  }
}

void Shard::handle_ack(Session& s, const protocol::Ack& ack) {
  UserState& u = *s.user;
  std::uint64_t now = env_.now_us();
  for (std::size_t i = 0; i < ack.count(); ++i) {
    std::uint64_t id = ack.id(i);
    auto it = u.inbox.find(id);
    if (it == u.inbox.end() || it->second.delivered_on != s.id) {
      metrics_.acks_unknown.add();  // a duplicate ACK, or an id never delivered on this session
      logging::event(spdlog::level::debug, "ack_ignored",
                     {{"session", std::to_string(s.id)}, {"msg_id", std::to_string(id)}});
      continue;
    }
    InboxMessage& m = it->second;
    --s.inflight;
    s.inflight_bytes -= m.payload.size();
    metrics_.inflight.add(-1);
    metrics_.acked.add();
    metrics_.ack_latency_us.record(now > m.accepted_us ? now - m.accepted_us : 0);
    settle(u, it, id);
  }
  deliver(u);
}

// The recipient acknowledged the message (or, for a hand-off queue, its owner node took it): it
// leaves memory and the store; its sender gets SEND_ACK now if it has not had it yet.
void Shard::settle(UserState& u, std::map<std::uint64_t, InboxMessage>::iterator it,
                   std::uint64_t server_id) {
  InboxMessage& m = it->second;
  const std::uint64_t id = it->first;
  if (u.loading) u.acked_while_loading.push_back(id);
  if (m.durability == Durability::kPersisting) {  // the write's completion finishes it
    m.recipient_acked = true;
    m.delivered_on = 0;
    return;
  }
  if (m.durability == Durability::kVolatile && !m.maybe_stored) metrics_.persist_skipped_acked.add();
  if (m.maybe_stored && !sabotage(Sabotage::kKeepReadRows)) {
    removes_.push_back(id);  // durable, or a failed write may have landed
  }
  if (!m.outcome_sent) {
    reply_outcome(m.sender, m.client_msg_id, SendStatus::kOk, server_id, 0, m.origin, m.relay_id,
                  m.handover_in ? std::string_view(u.id) : std::string_view());
  }
  erase_message(u, it);
}

std::map<std::uint64_t, Shard::InboxMessage>::iterator Shard::erase_message(
    UserState& u, std::map<std::uint64_t, InboxMessage>::iterator it) {
  memory_bytes_ -= it->second.footprint();
  u.memory_bytes -= it->second.footprint();
  metrics_.memory_bytes.set(static_cast<std::int64_t>(memory_bytes_));
  metrics_.inbox_messages.add(-1);
  return u.inbox.erase(it);
}

void Shard::flush_persist(std::uint64_t now, bool everything) {
  if (persist_inflight_ || now < persist_blocked_until_us_) return;  // order: one batch at a time
  if (persist_all_now_) {
    everything = true;
    persist_all_now_ = false;
  }
  std::vector<PersistRef> refs;
  std::vector<store::StoredMessage> rows;
  auto take = [&](PersistRef& ref) {
    UserState* u = find_user(ref.user);
    if (u == nullptr) return;
    auto it = u->inbox.find(ref.id);
    if (it == u->inbox.end() || it->second.durability != Durability::kVolatile) return;
    InboxMessage& m = it->second;
    m.durability = Durability::kPersisting;
    m.maybe_stored = true;
    rows.push_back(store::StoredMessage{ref.id, u->id, m.sender, m.client_msg_id, m.accepted_us,
                                        m.bucket, m.payload, m.target});
    refs.push_back(std::move(ref));
  };
  for (auto& ref : persist_retry_) take(ref);
  persist_retry_.clear();
  for (auto& ref : persist_now_) take(ref);
  persist_now_.clear();
  while (!persist_later_.empty() && (everything || persist_later_.front().due_us <= now)) {
    take(persist_later_.front());
    persist_later_.pop_front();
  }
  if (rows.empty()) return;
  metrics_.persist_batches.add();
  metrics_.persist_batch_rows.record(rows.size());
  persist_inflight_ = true;
  env_.store().append(std::move(rows),
                      [this, refs = std::move(refs), now](Status st) mutable {
                        persist_inflight_ = false;
                        on_persisted(std::move(refs), now, std::move(st));
                        flush_persist(env_.now_us(), draining_);
                      });
}

void Shard::on_persisted(std::vector<PersistRef> refs, std::uint64_t started_us, Status status) {
  std::uint64_t now = env_.now_us();
  metrics_.persist_latency_us.record(now > started_us ? now - started_us : 0);
  if (!status) {
    metrics_.persist_errors.add();
    store_down_until_us_ = now + config_.store_retry_us;
    persist_blocked_until_us_ = now + config_.store_retry_us;
    spdlog::warn("persisting {} messages failed: {} (kept in memory, retrying)", refs.size(),
                 status.to_string());
  } else {
    store_down_until_us_ = 0;
    metrics_.persisted.add(refs.size());
  }
  std::vector<UserState*> touched;
  for (auto& ref : refs) {
    UserState* u = find_user(ref.user);
    if (u == nullptr) continue;
    auto it = u->inbox.find(ref.id);
    if (it == u->inbox.end()) continue;
    InboxMessage& m = it->second;
    if (!status && !m.recipient_acked) {  // not durable and still needed: first in the next batch
      m.durability = Durability::kVolatile;
      persist_retry_.push_back({std::move(ref.user), ref.id, now});
      continue;
    }
    m.durability = status ? Durability::kDurable : Durability::kVolatile;
    if (!m.outcome_sent) {
      reply_outcome(m.sender, m.client_msg_id, SendStatus::kOk, ref.id, 0, m.origin, m.relay_id,
                    m.handover_in ? std::string_view(u->id) : std::string_view());
      m.outcome_sent = true;
    }
    if (m.recipient_acked) {
      removes_.push_back(ref.id);  // even after an error: part of a batch may have landed
      erase_message(*u, it);
      continue;
    }
    if (touched.empty() || touched.back() != u) touched.push_back(u);
  }
  for (UserState* u : touched) evict_durable(*u);
}

void Shard::evict_durable(UserState& u) {
  // Online recipients and hand-off queues keep a window in memory to deliver (or replay) from.
  const bool active = u.session != nullptr || u.queue_node != cluster::kLocalNode;
  std::size_t keep = active ? config_.user_memory_cap : 0;
  std::uint64_t keep_bytes = active ? config_.user_memory_cap_bytes : 0;
  auto over = [&] { return u.inbox.size() > keep || u.memory_bytes > keep_bytes; };
  if (!over()) return;
  auto it = u.inbox.end();
  while (it != u.inbox.begin() && over()) {
    --it;
    const InboxMessage& m = it->second;
    if (m.durability != Durability::kDurable || m.delivered_on != 0 || m.recipient_acked) continue;
    std::uint64_t id = it->first;
    it = erase_message(u, it);
    if (!u.spilled || id < u.spill_from) u.spill_from = id;
    u.spilled = true;
    if (u.loading && (u.evicted_while_loading == 0 || id < u.evicted_while_loading)) {
      u.evicted_while_loading = id;
    }
    metrics_.spilled.add();
  }
}

void Shard::flush_removes() {
  if (removes_.empty()) return;
  metrics_.removed.add(removes_.size());
  std::vector<std::uint64_t> ids = std::move(removes_);
  removes_ = {};
  ++removes_inflight_;
  env_.store().remove(ids, [this, ids](Status st) {
    --removes_inflight_;
    if (!st) {  // rows stay until a later delete succeeds; never redelivered meanwhile in memory
      spdlog::warn("deleting {} acked messages failed: {}; will retry", ids.size(), st.to_string());
      removes_.insert(removes_.end(), ids.begin(), ids.end());
    }
  });
}

}  // namespace iris::core
