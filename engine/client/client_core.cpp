#include "engine/client/client_core.h"

#include <algorithm>

namespace iris::client {

namespace p = iris::protocol;

ClientCore::ClientCore(ClientOptions options, std::uint64_t now_us)
    : options_(std::move(options)),
      // Ids start at the clock so a restarted client never reuses an id the node may still hold
      // in its retry window (a reused id would be taken for a retry and the message dropped).
      next_id_(now_us == 0 ? 1 : now_us) {}

void ClientCore::on_connected(std::uint64_t) {
  connected_ = true;
  logged_in_ = false;
  failed_ = false;
  reader_ = p::FrameReader();
  p::encode(out_, p::Hello{p::kProtocolVersion, options_.client_name});
  p::encode(out_, p::Login{options_.token});
}

void ClientCore::on_disconnected() {
  connected_ = false;
  logged_in_ = false;
  out_.clear();
  to_ack_.clear();
  unacked_.clear();  // the node redelivers them on the next session
  for (auto& [id, pend] : pending_) pend.last_sent_us = 0;
  unsent_ = pending_.size();
}

void ClientCore::mark_unsent(Pending& p) {
  if (p.last_sent_us != 0) ++unsent_;
  p.last_sent_us = 0;
}

// Order across refusals: a message refused with RETRY_LATER is resent before any later one goes
// out (the node holds later ids back until it returns; this avoids the wasted round trips).
void ClientCore::pump_sends(std::uint64_t now_us) {
  if (!logged_in_) return;
  for (auto& [id, pend] : pending_) {
    if (pend.last_sent_us == 0) {
      if (pend.not_before_us > now_us) return;
      transmit(id, pend, now_us);
    } else if (now_us - pend.last_sent_us >= options_.resend_after_us) {
      transmit(id, pend, now_us);  // unanswered: the node drops it if it has it (same id)
    }
  }
}

void ClientCore::on_bytes(std::span<const std::uint8_t> bytes, std::uint64_t now_us) {
  if (failed_) return;
  reader_.feed(bytes);
  p::FrameView frame;
  for (;;) {
    auto st = reader_.next(frame);
    if (st == p::FrameReader::State::kNeedMore) break;
    if (st == p::FrameReader::State::kError) {
      failed_ = true;
      events_.push_back(ProtocolFailure{"server sent an unframeable stream"});
      break;
    }
    auto decoded = p::decode_server(frame);
    if (!decoded) {
      failed_ = true;
      events_.push_back(ProtocolFailure{decoded.status().message()});
      break;
    }
    handle(*decoded, now_us);
  }
  for (std::size_t i = 0; i < to_ack_.size(); i += p::kMaxAckIds) {
    std::size_t n = std::min<std::size_t>(p::kMaxAckIds, to_ack_.size() - i);
    p::encode_ack(out_, {to_ack_.data() + i, n});
  }
  to_ack_.clear();
}

// sender + '\0' + the client id's 8 bytes: unambiguous (user ids hold no '\0'), and for user ids
// up to 6 bytes short enough to need no allocation.
std::string ClientCore::origin_key(std::string_view sender, std::uint64_t client_msg_id) {
  std::string origin;
  origin.reserve(sender.size() + 9);
  origin.append(sender);
  origin.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8) {
    origin.push_back(static_cast<char>((client_msg_id >> shift) & 0xff));
  }
  return origin;
}

bool ClientCore::seen(std::uint64_t id, const std::string& origin) const {
  // Server ids only grow at one node: one above all seen needs no lookup.
  return (id <= max_seen_id_ && seen_ids_.count(id) != 0) || seen_origins_.count(origin) != 0;
}

void ClientCore::remember(std::uint64_t id, std::string origin) {
  if (options_.dedup_capacity == 0) return;
  if (seen_order_.size() - seen_head_ >= options_.dedup_capacity) {
    const SeenEntry& oldest = seen_order_[seen_head_++];
    seen_ids_.erase(oldest.id);
    if (oldest.origin != nullptr) seen_origins_.erase(seen_origins_.find(*oldest.origin));
    if (seen_head_ >= options_.dedup_capacity && 2 * seen_head_ >= seen_order_.size()) {
      seen_order_.erase(seen_order_.begin(),
                        seen_order_.begin() + static_cast<std::ptrdiff_t>(seen_head_));
      seen_head_ = 0;
    }
  }
  seen_ids_.insert(id);
  max_seen_id_ = std::max(max_seen_id_, id);
  auto [it, inserted] = seen_origins_.insert(std::move(origin));
  // Set elements do not move: the ring points at the one it inserted (null when it was there
  // already, a copy remembered twice, so that only one ring entry ever erases it).
  seen_order_.push_back(SeenEntry{id, inserted ? &*it : nullptr});
}

void ClientCore::ack(std::uint64_t server_msg_id) {
  auto it = unacked_.find(server_msg_id);
  if (it == unacked_.end()) return;
  remember(server_msg_id, std::move(it->second));
  unacked_.erase(it);
  if (connected_) p::encode_ack(out_, {&server_msg_id, 1});
}

void ClientCore::handle(const p::ServerFrame& frame, std::uint64_t now_us) {
  if (const auto* d = std::get_if<p::Deliver>(&frame)) {
    std::string origin = origin_key(d->sender, d->client_msg_id);
    if (seen(d->server_msg_id, origin)) {
      to_ack_.push_back(d->server_msg_id);  // had and ACKed (or auto): ACK the copy too
      ++duplicates_;
      return;
    }
    if (options_.auto_ack) {
      to_ack_.push_back(d->server_msg_id);
      remember(d->server_msg_id, std::move(origin));
    } else {
      unacked_[d->server_msg_id] = std::move(origin);
    }
    events_.push_back(Delivered{d->server_msg_id, std::string(d->sender), d->client_msg_id,
                                d->server_ts_us,
                                std::string(reinterpret_cast<const char*>(d->payload.data()),
                                            d->payload.size())});
  } else if (const auto* a = std::get_if<p::SendAck>(&frame)) {
    auto it = pending_.find(a->client_msg_id);
    if (it == pending_.end()) return;  // answer to a resend already answered
    if (a->status == p::SendStatus::kRetryLater || a->status == p::SendStatus::kStoreUnavailable) {
      mark_unsent(it->second);
      it->second.not_before_us =
          now_us + std::uint64_t{a->retry_after_ms ? a->retry_after_ms : 100} * 1000;
      return;
    }
    events_.push_back(SendDone{a->client_msg_id, a->status, a->server_msg_id});
    if (it->second.last_sent_us == 0) --unsent_;
    pending_.erase(it);
  } else if (const auto* hello = std::get_if<p::HelloOk>(&frame)) {
    hello_node_ = std::string(hello->node_id);
  } else if (const auto* ok = std::get_if<p::LoginOk>(&frame)) {
    if (hello_node_ != home_node_) {
      // Another home (a view change moved this user): server ids are unique per node only, so
      // the ones seen from the old home say nothing here. (sender, client id) still holds.
      seen_ids_.clear();
      max_seen_id_ = 0;
      home_node_ = hello_node_;
    }
    logged_in_ = true;
    user_ = std::string(ok->user);
    events_.push_back(LoggedIn{user_, ok->session_id});
    pump_sends(now_us);
  } else if (const auto* pr = std::get_if<p::Presence>(&frame)) {
    events_.push_back(PresenceChanged{std::string(pr->user), pr->state, pr->last_seen_ms});
  } else if (const auto* e = std::get_if<p::Error>(&frame)) {
    events_.push_back(ServerError{e->code, std::string(e->text)});
  } else if (const auto* b = std::get_if<p::Bye>(&frame)) {
    events_.push_back(ServerBye{b->reason, b->reconnect_after_ms, std::string(b->text)});
  } else if (const auto* pong = std::get_if<p::Pong>(&frame)) {
    events_.push_back(PongReceived{pong->nonce});
  } else if (const auto* r = std::get_if<p::Redirect>(&frame)) {
    // Not logged in here: the node closes the connection next, and on_disconnected() keeps the
    // pending sends for the next login.
    events_.push_back(Redirected{std::string(r->node_id), std::string(r->address)});
  }
}

void ClientCore::transmit(std::uint64_t id, Pending& pend, std::uint64_t now_us) {
  if (pend.last_sent_us == 0) --unsent_;
  p::encode(out_, p::Send{id, pend.recipient,
                          {reinterpret_cast<const std::uint8_t*>(pend.payload.data()),
                           pend.payload.size()}});
  pend.last_sent_us = now_us == 0 ? 1 : now_us;  // 0 means "not on the wire"
}

std::uint64_t ClientCore::send(std::string_view recipient, std::string_view payload,
                               std::uint64_t now_us) {
  if (pending_.size() >= options_.max_pending_sends || payload.size() > p::kMaxPayload ||
      recipient.empty() || recipient.size() > p::kMaxUserId) {
    return 0;
  }
  std::uint64_t id = next_id_++;
  auto& pend = pending_[id];
  pend.recipient = std::string(recipient);
  pend.payload = std::string(payload);
  ++unsent_;
  if (logged_in_ && unsent_ == 1) transmit(id, pend, now_us);  // nothing older waits
  return id;
}

void ClientCore::on_tick(std::uint64_t now_us) { pump_sends(now_us); }

void ClientCore::subscribe(std::string_view user) { p::encode(out_, p::PresenceSubscribe{user}); }
void ClientCore::unsubscribe(std::string_view user) {
  p::encode(out_, p::PresenceUnsubscribe{user});
}
void ClientCore::query_status(std::string_view user) { p::encode(out_, p::StatusQuery{user}); }
void ClientCore::ping(std::uint64_t nonce) { p::encode(out_, p::Ping{nonce}); }
void ClientCore::bye() { p::encode(out_, p::ClientBye{"bye"}); }

p::Bytes ClientCore::take_output() {
  p::Bytes out;
  out.swap(out_);
  return out;
}

std::vector<ClientEvent> ClientCore::take_events() {
  std::vector<ClientEvent> e;
  e.swap(events_);
  return e;
}

void ClientCore::take_events(std::vector<ClientEvent>& out) {
  out.clear();
  out.swap(events_);
}

}  // namespace iris::client
