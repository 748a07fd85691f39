// View changes, as one shard sees them (engine/cluster/reconfig.h drives them; docs/cluster.md
// states the rules).
//
// 1. Freeze (a proposal): sends whose sender or recipient the proposal moves are refused
//    (RETRY_LATER); the shard marks what is in flight — every shard's earlier mailbox posts (by a
//    FreezeMark from each), its own direct forwards and hand-off queue rows up to that moment —
//    and reports kDrained once all of it is answered. The node votes yes when every shard has.
//    So when the view changes, no message for or from a moved user is on its way anywhere.
// 2. Commit: the users this node owned and no longer owns are handed over. Their sessions end
//    (BYE, reconnect: a redirect takes them to the new home); their inboxes, in memory and in the
//    store, replay to the new owner in id order as HANDOVER_MESSAGEs, and each OK answer removes
//    the row, as an ACK would. The new owner refuses logins and ordinary messages for the users
//    it gained until the old owner says (in its heartbeats) that it handed everything over: so
//    the moved inbox is ahead of anything new, and no user is served by two nodes at once.
// 3. Thaw (an abort): back to normal; nothing moved.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/common/logging.h"
#include "engine/core/shard.h"
#include "engine/core/shard_state.h"

namespace iris::core {

namespace {
// The same active members: every user has the same owner in both views.
bool same_owners(const cluster::View& a, const cluster::View& b) {
  std::vector<std::string_view> x, y;
  for (const auto& m : a.members) {
    if (m.state == cluster::MemberState::kActive) x.push_back(m.id);
  }
  for (const auto& m : b.members) {
    if (m.state == cluster::MemberState::kActive) y.push_back(m.id);
  }
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}
}  // namespace

bool Shard::moves(std::string_view user) const {
  return proposal_ && view_ && view_->owner_of(user) != proposal_->owner_of(user);
}

bool Shard::incoming(std::string_view user) const {
  if (all_done_ || !view_ || !previous_) return false;
  const cluster::NodeIndex was = previous_->owner_of(user);
  if (was == view_->self || was >= done_from_.size() || done_from_[was]) return false;
  return view_->owns(user);
}

bool Shard::owns_under(std::uint64_t epoch, std::string_view user) const {
  if (!view_ || !view_->owns(user)) return false;
  if (epoch == view_->epoch) return true;
  const cluster::View* then = previous_ && previous_->epoch == epoch   ? previous_.get()
                              : proposal_ && proposal_->epoch == epoch ? proposal_.get()
                                                                       : nullptr;
  return then != nullptr && then->owner_of(user) == view_->self;
}

void Shard::on_view_event(const ViewEvent& e) {
  switch (e.kind) {
    case ViewEvent::Kind::kFreeze:
          if (e.view && view_ && e.view->epoch > view_->epoch) freeze(e.view, e.round);
      break;
    case ViewEvent::Kind::kThaw:
      if (proposal_ && freeze_.epoch == e.epoch && freeze_.round == e.round) {
        proposal_.reset();
        freeze_ = Freeze{};
        logging::event(spdlog::level::info, "view_thawed", {{"epoch", std::to_string(e.epoch)}});
      }
      break;
    case ViewEvent::Kind::kCommit:
      // A later view; or, at a start, the view the shard was made with and the one before it
      // (a restart while that commit's hand-over was not done, or hand-overs to it not heard).
      if (e.view && (!view_ || e.view->epoch > view_->epoch ||
                     (e.view->epoch == view_->epoch && !previous_ && e.previous))) {
        commit_view(e);
      }
      break;
    case ViewEvent::Kind::kHandoverDone:
      if (view_ && e.epoch == view_->epoch && e.node < done_from_.size() && !done_from_[e.node]) {
        done_from_[e.node] = true;
        all_done_ = std::find(done_from_.begin(), done_from_.end(), false) == done_from_.end();
      }
      break;
  }
}

void Shard::freeze(std::shared_ptr<const cluster::View> proposal, std::uint64_t round) {
  proposal_ = std::move(proposal);
  freeze_ = Freeze{};
  freeze_.epoch = proposal_->epoch;
  freeze_.round = round;
  // Another shard may have frozen first and its mark come before this shard's own freeze (the
  // driver's events and the shards' posts travel by different rings): it counts now.
  for (auto it = early_marks_.begin(); it != early_marks_.end();) {
    if (it->epoch == freeze_.epoch && it->round == round) {
      ++freeze_.marks;
      it = early_marks_.erase(it);
    } else if (it->epoch < freeze_.epoch) {
      it = early_marks_.erase(it);
    } else {
      ++it;
    }
  }
  // Every other shard's posts to this one before its freeze arrive before its mark (a mailbox is
  // FIFO per pair); this shard's own posts to itself are handled at once, never queued.
  for (ShardId s = 0; s < config_.shards; ++s) {
    if (s != id_) env_.post(s, FreezeMark{id_, freeze_.epoch, round});
  }
  on_freeze_mark(FreezeMark{id_, freeze_.epoch, round});
}

void Shard::on_freeze_mark(const FreezeMark& m) {
  if (!proposal_ || m.epoch != freeze_.epoch || m.round != freeze_.round) {
    // Before this shard's own freeze for it (kept: bounded by the shards, one per proposal).
    if ((!view_ || m.epoch > view_->epoch) && early_marks_.size() < 4 * config_.shards) {
      early_marks_.push_back(m);
    }
    return;
  }
  if (freeze_.marked) return;
  if (++freeze_.marks < config_.shards) return;
  freeze_.marked = true;
  freeze_.relay_mark = last_relay_id_;
  freeze_.message_mark = seq_ == 0 ? 0 : make_message_id(incarnation_, id_, seq_);
  check_drained();
}

bool Shard::drained() const {
  if (!forwards_.empty() && forwards_.begin()->first <= freeze_.relay_mark) return false;
  for (const auto& [id, u] : users_) {
    if (u->queue_node == cluster::kLocalNode || u->handover) continue;
    if (!u->inbox.empty() && u->inbox.begin()->first <= freeze_.message_mark) return false;
    if ((u->spilled || u->loading) && u->spill_from <= freeze_.message_mark) return false;
  }
  return true;
}

void Shard::check_drained() {
  if (!proposal_ || !freeze_.marked || freeze_.reported || !drained()) return;
  freeze_.reported = true;
  env_.report(ShardReport{ShardReport::Kind::kDrained, id_, freeze_.epoch, freeze_.round});
}

void Shard::commit_view(const ViewEvent& e) {
  previous_ = e.previous ? e.previous : view_;
  view_ = e.view;
  proposal_.reset();
  freeze_ = Freeze{};
  const cluster::NodeIndex self = view_->self;
  if (peer_up_.size() < view_->size()) peer_up_.resize(view_->size(), false);
  // Whom this node waits for: every member that owned, in the previous view, a user this node
  // owns now. Not knowable without the users, so every member that was active then.
  done_from_.assign(view_->size(), true);
  if (previous_ && !same_owners(*previous_, *view_)) {
    for (cluster::NodeIndex i = 0; i < previous_->size() && i < view_->size(); ++i) {
      if (i != self && previous_->active(i)) done_from_[i] = false;
    }
  }
  all_done_ = std::find(done_from_.begin(), done_from_.end(), false) == done_from_.end();
  handover_epoch_ = view_->epoch;
  handing_over_.clear();
  handover_listing_ = false;
  handover_reported_ = true;
  logging::event(spdlog::level::info, "view_committed",
                 {{"epoch", std::to_string(view_->epoch)}, {"shard", std::to_string(id_)}});
  if (e.handed_over || !previous_) return;
  handover_reported_ = false;
  if (same_owners(*previous_, *view_)) {  // a member joined (not yet active) or left for good
    check_handed_over();
    return;
  }
  // In memory: sessions and inboxes of users that moved away.
  for (auto& [id, u] : users_) {
    if (cluster::is_handoff_queue(id) || u->handover) continue;
    if (previous_->owner_of(id) != self) continue;
    const cluster::NodeIndex to = view_->owner_of(id);
    if (to != self) start_user_handover(*u, to);
  }
  // In the store: inboxes this shard has not loaded (spilled, or left by an earlier run).
  handover_listing_ = true;
  const std::uint64_t epoch = view_->epoch;
  env_.store().list_recipients([this, epoch](Result<std::vector<std::string>> users) {
    if (!view_ || view_->epoch != epoch) return;  // a later commit started its own
    if (!users) {
      spdlog::warn("hand-over: listing the stored inboxes failed: {}; trying again",
                   users.status().to_string());
      ViewEvent again{ViewEvent::Kind::kCommit, view_, previous_, false, 0, epoch};
      view_ = previous_;
      commit_view(again);
      return;
    }
    const cluster::NodeIndex self = view_->self;
    for (const auto& id : *users) {
      if (cluster::is_handoff_queue(id) || shard_of(id, config_.shards) != id_) continue;
      if (previous_->owner_of(id) != self) continue;
      const cluster::NodeIndex to = view_->owner_of(id);
      if (to == self) continue;
      UserState& u = user(id);
      if (!u.handover) start_user_handover(u, to);
    }
    handover_listing_ = false;
    check_handed_over();
  });
}

void Shard::start_user_handover(UserState& u, cluster::NodeIndex to) {
  if (u.session != nullptr) {
    // Its next login is redirected to the new home, which lets it in once the inbox is there.
    const ConnId conn = u.session->conn;
    send_frame(conn, protocol::Bye{protocol::ByeReason::kHomeUnreachable, 100,
                                   "your home moved to another node: reconnect"});
    env_.close(conn);
    end_session(conn);
  }
  u.handover = true;
  u.queue_node = to;
  u.replay_cursor = 0;
  u.replay_inflight = 0;
  u.replay_retry_at_us = 0;
  for (auto& [id, m] : u.inbox) m.delivered_on = 0;
  handing_over_.insert(u.id);
  replay_handoff(u);
}

bool Shard::handed_over(const UserState& u) const {
  return u.inbox.empty() && !u.spilled && !u.loading;
}

void Shard::check_handed_over() {
  if (handover_reported_ || handover_listing_) return;
  for (auto it = handing_over_.begin(); it != handing_over_.end();) {
    const UserState* u = find_user(*it);
    if (u == nullptr || handed_over(*u)) {
      it = handing_over_.erase(it);
    } else {
      return;  // set order: the first unfinished one is enough to know
    }
  }
  // A member that is leaving also empties its hand-off queues and forwards before it may go.
  if (view_->members[view_->self].state == cluster::MemberState::kLeaving) {
    // ... and its store is left empty: the deletes of what it handed over have landed.
    if (!forwards_.empty() || !removes_.empty() || removes_inflight_ != 0) return;
    for (const auto& [id, u] : users_) {
      if (u->queue_node != cluster::kLocalNode && !handed_over(*u)) return;
    }
  }
  handover_reported_ = true;
  logging::event(spdlog::level::info, "handover_done",
                 {{"epoch", std::to_string(handover_epoch_)}, {"shard", std::to_string(id_)}});
  env_.report(ShardReport{ShardReport::Kind::kHandedOver, id_, handover_epoch_, 0});
}

std::optional<ViewEvent> shard_event_of(const cluster::ReconfigAction& action) {
  using Kind = ViewEvent::Kind;
  if (const auto* f = std::get_if<cluster::FreezeShards>(&action)) {
    return ViewEvent{Kind::kFreeze, f->proposal, nullptr, false, 0, f->proposal->epoch, f->round};
  }
  if (const auto* t = std::get_if<cluster::ThawShards>(&action)) {
    return ViewEvent{Kind::kThaw, nullptr, nullptr, false, 0, t->epoch, t->round};
  }
  if (const auto* c = std::get_if<cluster::CommitShards>(&action)) {
    return ViewEvent{Kind::kCommit, c->view, c->previous, c->handed_over, 0, c->view->epoch, 0};
  }
  if (const auto* h = std::get_if<cluster::HandoverDone>(&action)) {
    return ViewEvent{Kind::kHandoverDone, nullptr, nullptr, false, h->node, h->epoch, 0};
  }
  return std::nullopt;
}

}  // namespace iris::core
