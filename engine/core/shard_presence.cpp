// Presence: subscriptions live on the target's home shard; notices travel to the subscriber's home
// shard. Transitions are coalesced: within presence_coalesce_us subscribers get one notice with
// the latest state.

#include <algorithm>

#include "engine/core/shard.h"
#include "engine/core/shard_state.h"

namespace iris::core {

void Shard::send_presence_request(PresenceRequest::Kind kind, const std::string& requester,
                                  const std::string& target) {
  PresenceRequest req{kind, requester, target};
  if (!post_to_user(target, std::move(req))) metrics_.presence_lost.add();
}

void Shard::handle_presence_request(const PresenceRequest& req) {
  metrics_.presence_requests.add();
  if (req.kind == PresenceRequest::Kind::kUnsubscribe) {
    if (UserState* t = find_user(req.target)) t->subscribers.erase(req.requester);
    return;
  }
  UserState& t = user(req.target);
  if (req.kind == PresenceRequest::Kind::kSubscribe &&
      t.subscribers.size() < config_.max_subscribers_per_user) {
    t.subscribers.insert(req.requester);
  }
  reply_presence(t, req.requester);
}

void Shard::reply_presence(UserState& t, const std::string& requester) {
  if (t.session == nullptr && !t.last_seen_known) {
    t.waiting_for_last_seen.push_back(requester);
    if (t.last_seen_loading) return;
    t.last_seen_loading = true;
    env_.store().get_last_seen(t.id, [this, uid = t.id](Result<std::uint64_t> ms) {
      UserState* u = find_user(uid);
      if (u == nullptr) return;
      u->last_seen_loading = false;
      if (ms) {
        u->last_seen_ms = std::max(u->last_seen_ms, *ms);
        u->last_seen_known = true;
      }
      auto waiting = std::move(u->waiting_for_last_seen);
      u->waiting_for_last_seen.clear();
      u->last_seen_known = true;  // answer with what we have; a failed read reads as "never"
      for (const auto& r : waiting) reply_presence(*u, r);
    });
    return;
  }
  PresenceNotice notice{requester, t.id,
                        t.session ? protocol::PresenceState::kOnline
                                  : protocol::PresenceState::kOffline,
                        t.session ? env_.now_us() / 1000 : t.last_seen_ms};
  if (!post_to_user(requester, std::move(notice))) metrics_.presence_lost.add();
}

void Shard::on_presence_notice(const PresenceNotice& n) {
  UserState* u = find_user(n.subscriber);
  if (u == nullptr || u->session == nullptr) return;
  metrics_.presence_notices.add();
  send_frame(u->session->conn, protocol::Presence{n.target, n.state, n.last_seen_ms});
}

void Shard::presence_changed(UserState& u) {
  if (u.subscribers.empty() || u.presence_dirty) return;
  u.presence_dirty = true;
  u.presence_due_us = std::max(env_.now_us(), u.last_presence_us + config_.presence_coalesce_us);
  presence_dirty_.push_back(u.id);
}

void Shard::flush_presence(std::uint64_t now) {
  if (presence_dirty_.empty()) return;
  std::vector<std::string> still_waiting;
  for (auto& id : presence_dirty_) {
    UserState* u = find_user(id);
    if (u == nullptr || !u->presence_dirty) continue;
    if (u->presence_due_us > now) {
      still_waiting.push_back(std::move(id));
      continue;
    }
    u->presence_dirty = false;
    u->last_presence_us = now;
    std::vector<std::string> subs(u->subscribers.begin(), u->subscribers.end());
    for (const auto& sub : subs) reply_presence(*u, sub);
  }
  presence_dirty_ = std::move(still_waiting);
}

}  // namespace iris::core
