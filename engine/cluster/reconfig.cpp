#include "engine/cluster/reconfig.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

namespace iris::cluster {

namespace {
bool valid_node_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}
}  // namespace

Reconfig::Reconfig(ViewRecord record, ReconfigConfig cfg, std::function<bool(NodeIndex)> is_up,
                   std::uint64_t seed, std::uint64_t now_us)
    : record_(std::move(record)), cfg_(cfg), is_up_(std::move(is_up)), rng_(seed) {
  if (cfg_.shards == 0) cfg_.shards = 1;
  // A view never changed has nothing to hand over.
  if (!record_.previous && record_.handed_over_epoch < record_.view.epoch) {
    record_.handed_over_epoch = record_.view.epoch;
  }
  next_follow_up_us_ = now_us;
}

// What is tracked per member and per shard for the current view (after a start or a commit).
void Reconfig::track_view() {
  const std::size_t n = record_.view.size();
  peer_handover_.resize(n, 0);
  peer_epoch_.resize(n, 0);
  handover_told_.assign(n, false);
  handed_over_.assign(cfg_.shards, false);
}

void Reconfig::start(std::uint64_t now_us) {
  track_view();
  if (record_.previous && record_.view.epoch > 0) {
    actions_.push_back(CommitShards{std::make_shared<const View>(record_.view),
                                    std::make_shared<const View>(*record_.previous),
                                    record_.handed_over_epoch >= record_.view.epoch});
  }
  if (record_.prepared) {
    if (record_.prepared_by == self_id()) {
      // This node proposed it and had not decided when it stopped: nobody can have committed
      // it, and a restarted coordinator does not carry its old round on. Those prepared ask, and
      // hear VIEW_ABORT.
      record_.prepared.reset();
      record_.prepared_by.clear();
      record_.prepared_round = 0;
      persist();
    } else {
      View v = *record_.prepared;
      v.self = v.index_of(self_id());
      prepared_ = Proposal{std::move(v), record_.prepared_by, record_.prepared_round, ""};
      prepared_at_us_ = now_us;
      next_query_us_ = now_us + cfg_.decision_timeout_us;
      drained_.assign(cfg_.shards, false);
      voted_ = false;
      actions_.push_back(
      FreezeShards{std::make_shared<const View>(prepared_->view), prepared_->round});
    }
  }
}

std::uint64_t Reconfig::next_random() {
  // splitmix64, as Membership: the same sequence everywhere.
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t Reconfig::next_round() {
  std::uint64_t r = 0;
  while (r == 0) r = next_random();  // 0 names no round (a catch-up query)
  return r;
}

std::uint64_t Reconfig::jittered(std::uint64_t us) {
  const double unit = static_cast<double>(next_random() >> 11) * 0x1.0p-53;
  return static_cast<std::uint64_t>(static_cast<double>(us) * (0.5 + unit));
}

void Reconfig::persist() {
  actions_.push_back(PersistView{record_});
}

std::vector<ReconfigAction> Reconfig::take_actions() {
  return std::exchange(actions_, {});
}

// ---- proposing --------------------------------------------------------------------------------

Result<std::uint64_t> Reconfig::request_join(const JoinRequest& join, std::uint64_t now_us) {
  if (!valid_node_id(join.node_id)) {
    return Status::invalid("node id '" + join.node_id + "': 1..64 of A-Z a-z 0-9 _ -");
  }
  if (join.peer_address.size() > kMaxAddress || join.client_address.size() > kMaxAddress) {
    return Status::invalid("address over " + std::to_string(kMaxAddress) + " bytes");
  }
  std::vector<Member> members = record_.view.members;
  const NodeIndex at = record_.view.index_of(join.node_id);
  if (at != kLocalNode && members[at].state != MemberState::kLeft) {
    return Status::invalid("'" + join.node_id + "' is already a member (" +
                           to_string(members[at].state) + ")");
  }
  Member m{join.node_id, join.peer_address, join.client_address, MemberState::kJoining};
  if (at != kLocalNode) {
    members[at] = std::move(m);  // a member that left comes back in its old place
  } else {
    if (members.size() >= kMaxMembers) return Status::invalid("the cluster is full");
    members.push_back(std::move(m));
  }
  return propose(std::move(members), "join " + join.node_id, now_us);
}

Result<std::uint64_t> Reconfig::request_leave(const std::string& node_id, std::uint64_t now_us) {
  std::vector<Member> members = record_.view.members;
  const NodeIndex at = record_.view.index_of(node_id);
  if (at == kLocalNode || members[at].state == MemberState::kLeft) {
    return Status::not_found("'" + node_id + "' is not a member");
  }
  switch (members[at].state) {
    case MemberState::kActive:
      members[at].state = MemberState::kLeaving;
      break;
    case MemberState::kJoining:
      members[at].state = MemberState::kLeft;  // it owns nothing yet: nothing to hand over
      break;
    default:
      return Status::invalid("'" + node_id + "' is already leaving");
  }
  return propose(std::move(members), "leave " + node_id, now_us);
}

Result<std::uint64_t> Reconfig::propose(std::vector<Member> members, std::string what,
                                        std::uint64_t now_us) {
  if (!joined()) return Status::unavailable("this node is not in a cluster yet");
  if (own_) {
    return Status::unavailable("already proposing epoch " +
                               std::to_string(own_->proposal.view.epoch) + " (" +
                               own_->proposal.what + ")");
  }
  if (prepared_) {
    return Status::unavailable("prepared for epoch " + std::to_string(prepared_->view.epoch) +
                               ", proposed by " + prepared_->coordinator);
  }
  View next;
  next.epoch = record_.view.epoch + 1;
  next.members = std::move(members);
  next.self = self();
  if (next.active_count() == 0) return Status::invalid("no member would own any user");
  // VIEW_PREPARE carries the whole list: it must fit in one peer frame (128 KiB).
  std::size_t frame = 1 + 8 + 8 + 1 + self_id().size() + 2;  // type, epoch, round, coordinator
  for (const auto& m : next.members) {
    frame += 4 + m.id.size() + m.peer_address.size() + m.client_address.size();
  }
  if (frame > kMaxViewFrame) {
    return Status::invalid("the member list would take " + std::to_string(frame) +
                           " bytes on the wire, over " + std::to_string(kMaxViewFrame));
  }
  if (std::string why = check_can_prepare(next); !why.empty()) return Status::unavailable(why);
  Coordinating c;
  c.proposal = Proposal{next, self_id(), next_round(), std::move(what)};
  c.voters = voters_of(next);
  c.yes.assign(c.voters.size(), false);
  c.deadline_us = now_us + cfg_.prepare_timeout_us;
  own_ = std::move(c);
  for (NodeIndex v : own_->voters) {
    if (v != self()) {
      actions_.push_back(SendViewFrame{
          v, ViewPrepare{next.epoch, own_->proposal.round, self_id(), next.members}});
    }
  }
  prepare(own_->proposal, now_us);
  return next.epoch;
}

// Every member linked in the current view votes. A node being added has nothing to freeze and
// no links yet; it hears the decision.
std::vector<NodeIndex> Reconfig::voters_of(const View& proposed) const {
  (void)proposed;
  std::vector<NodeIndex> out;
  for (NodeIndex i = 0; i < record_.view.size(); ++i) {
    if (record_.view.linked(i)) out.push_back(i);
  }
  return out;
}

bool Reconfig::valid_members(const std::vector<Member>& members) const {
  const auto& now = record_.view.members;
  if (members.size() < now.size() || members.size() > kMaxMembers) return false;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (!valid_node_id(members[i].id) || !ids.insert(members[i].id).second) return false;
    // Indices are stable: a member keeps its place, or a place of one that left is reused.
    if (i < now.size() && members[i].id != now[i].id && now[i].state != MemberState::kLeft) {
      return false;
    }
  }
  return true;
}

std::string Reconfig::check_can_prepare(const View& proposed) const {
  const View& v = record_.view;
  if (proposed.epoch != v.epoch + 1) {
    return "epoch " + std::to_string(proposed.epoch) + " proposed, " + v.members[self()].id +
           " is at " + std::to_string(v.epoch);
  }
  if (!valid_members(proposed.members)) return "the proposed member list is not valid";
  if (record_.handed_over_epoch < v.epoch) {
    return v.members[self()].id + " is still handing over epoch " + std::to_string(v.epoch);
  }
  if (record_.previous) {
    for (NodeIndex i = 0; i < v.size() && i < record_.previous->size(); ++i) {
      if (i == self() || !v.linked(i) || !record_.previous->active(i)) continue;
      if (i >= peer_handover_.size() || peer_handover_[i] < v.epoch) {
        return "waiting for " + v.members[i].id + "'s hand-over of epoch " +
               std::to_string(v.epoch);
      }
    }
  }
  for (NodeIndex i : voters_of(proposed)) {
    if (i != self() && !is_up_(i)) return v.members[i].id + " is down from " + self_id();
  }
  return "";
}

void Reconfig::prepare(Proposal p, std::uint64_t now_us) {
  record_.prepared = p.view;
  record_.prepared_by = p.coordinator;
  record_.prepared_round = p.round;
  persist();  // before the vote it leads to
  prepared_ = std::move(p);
  prepared_at_us_ = now_us;
  next_query_us_ = now_us + cfg_.decision_timeout_us;
  drained_.assign(cfg_.shards, false);
  voted_ = false;
  actions_.push_back(
      FreezeShards{std::make_shared<const View>(prepared_->view), prepared_->round});
}

void Reconfig::vote(bool yes, const std::string& reason) {
  if (!prepared_) return;
  ViewVote v{prepared_->view.epoch, prepared_->round, prepared_->coordinator, yes,
             reason.substr(0, kMaxReason)};
  const NodeIndex coordinator = record_.view.index_of(prepared_->coordinator);
  if (coordinator == self()) {
    on_vote(self(), v, 0);
  } else if (coordinator != kLocalNode) {
    actions_.push_back(SendViewFrame{coordinator, std::move(v)});
  }
}

// ---- events -----------------------------------------------------------------------------------

void Reconfig::on_frame(NodeIndex from, const ViewFrame& frame, std::uint64_t now_us) {
  if (from != kLocalNode && from >= peer_epoch_.size()) {
    peer_epoch_.resize(from + 1, 0);
    peer_handover_.resize(from + 1, 0);
    handover_told_.resize(from + 1, false);
  }
  if (const auto* p = std::get_if<ViewPrepare>(&frame)) {
    on_prepare(from, *p, now_us);
  } else if (const auto* v = std::get_if<ViewVote>(&frame)) {
    on_vote(from, *v, now_us);
  } else if (const auto* c = std::get_if<ViewCommit>(&frame)) {
    on_commit(*c, now_us);
  } else if (const auto* a = std::get_if<ViewAbort>(&frame)) {
    on_abort(*a, now_us);
  } else if (const auto* q = std::get_if<ViewQuery>(&frame)) {
    on_query(from, *q);
  }
}

void Reconfig::on_prepare(NodeIndex from, const ViewPrepare& f, std::uint64_t now_us) {
  View v;
  v.epoch = f.epoch;
  v.members = f.members;
  v.self = v.index_of(self_id());
  if (prepared_ && prepared_->is(f.epoch, f.round, f.coordinator)) {
    if (voted_) vote(true, "");  // asked again (a lost vote): the same answer
    return;
  }
  std::string why;
  if (own_) {
    why = self_id() + " is proposing epoch " + std::to_string(own_->proposal.view.epoch) + " itself";
  } else if (prepared_) {
    why = self_id() + " is prepared for epoch " + std::to_string(prepared_->view.epoch) +
          " of " + prepared_->coordinator;
  } else if (!joined()) {
    why = self_id() + " has not joined yet";
  } else if (promised_abort(f.epoch, f.round, f.coordinator)) {
    why = self_id() + " already told a member that this proposal cannot commit";
  } else if (v.self == kLocalNode) {
    why = self_id() + " is not in the proposed view";
  } else {
    why = check_can_prepare(v);
  }
  if (!why.empty()) {
    if (from != kLocalNode) {
      actions_.push_back(
          SendViewFrame{from, ViewVote{f.epoch, f.round, f.coordinator, false,
                                       why.substr(0, kMaxReason)}});
    }
    return;
  }
  prepare(Proposal{std::move(v), f.coordinator, f.round, ""}, now_us);
}

void Reconfig::on_shard_drained(std::uint32_t shard, std::uint64_t epoch, std::uint64_t round,
                                std::uint64_t now_us) {
  (void)now_us;
  // A late report of an aborted round of the same epoch says nothing of this one.
  if (!prepared_ || prepared_->view.epoch != epoch || prepared_->round != round ||
      shard >= drained_.size()) {
    return;
  }
  drained_[shard] = true;
  if (voted_ || std::find(drained_.begin(), drained_.end(), false) != drained_.end()) return;
  voted_ = true;
  vote(true, "");
}

void Reconfig::on_vote(NodeIndex from, const ViewVote& f, std::uint64_t now_us) {
  if (!own_ || !own_->proposal.is(f.epoch, f.round, f.coordinator)) {
    return;  // an old round's
  }
  auto it = std::find(own_->voters.begin(), own_->voters.end(), from);
  if (it == own_->voters.end()) return;
  if (!f.yes) {
    abort_own(f.reason.empty() ? record_.view.members[from].id + " refused" : f.reason, now_us);
    return;
  }
  own_->yes[static_cast<std::size_t>(it - own_->voters.begin())] = true;
  if (std::find(own_->yes.begin(), own_->yes.end(), false) == own_->yes.end()) {
    decide_commit(now_us);
  }
}

void Reconfig::decide_commit(std::uint64_t now_us) {
  Coordinating c = std::move(*own_);
  own_.reset();
  const View old = record_.view;
  record_commit(c.proposal.view);  // on disk before anyone hears of it
  // The decision goes out before this node adopts the view: adopting it may close the link to a
  // member that is removed by it, and that member must hear it too.
  ViewCommit commit{c.proposal.view.epoch, c.proposal.view.members};
  for (NodeIndex v : c.voters) {
    if (v != self()) actions_.push_back(SendViewFrame{v, commit});
  }
  // A node being added (a new place, or the place of one that left) hears it too.
  for (NodeIndex i = 0; i < c.proposal.view.size(); ++i) {
    if (i != self() && (i >= old.size() || !old.linked(i)) && c.proposal.view.linked(i)) {
      actions_.push_back(SendViewFrame{i, commit});
    }
  }
  apply_commit(now_us);
  actions_.push_back(ChangeDecided{commit.epoch, true, c.proposal.what, ""});
}

void Reconfig::abort_own(const std::string& reason, std::uint64_t now_us) {
  Coordinating c = std::move(*own_);
  own_.reset();
  for (NodeIndex v : c.voters) {
    if (v != self()) {
      actions_.push_back(
          SendViewFrame{v, ViewAbort{c.proposal.view.epoch, c.proposal.round,
                                     c.proposal.coordinator}});
    }
  }
  if (prepared_ &&
      prepared_->is(c.proposal.view.epoch, c.proposal.round, c.proposal.coordinator)) {
    thaw(now_us);
  }
  actions_.push_back(ChangeDecided{c.proposal.view.epoch, false, c.proposal.what, reason});
}

void Reconfig::thaw(std::uint64_t now_us) {
  (void)now_us;
  if (!prepared_) return;
  actions_.push_back(ThawShards{prepared_->view.epoch, prepared_->round});
  prepared_.reset();
  voted_ = false;
  record_.prepared.reset();
  record_.prepared_by.clear();
  record_.prepared_round = 0;
  persist();
}

void Reconfig::on_commit(const ViewCommit& f, std::uint64_t now_us) {
  if (f.epoch <= record_.view.epoch) return;  // known
  View v;
  v.epoch = f.epoch;
  v.members = f.members;
  v.self = v.index_of(self_id());
  if (v.self == kLocalNode) return;  // not ours to take
  if (joined() && !valid_members(v.members)) return;
  if (own_) {  // someone else's commit beat our round: ours cannot commit now
    actions_.push_back(ChangeDecided{own_->proposal.view.epoch, false, own_->proposal.what,
                                     "epoch " + std::to_string(f.epoch) + " committed first"});
    own_.reset();
  }
  adopt(std::move(v), now_us);
}

void Reconfig::adopt(View v, std::uint64_t now_us) {
  record_commit(std::move(v));
  apply_commit(now_us);
}

void Reconfig::record_commit(View v) {
  if (prepared_ && prepared_->view.epoch != v.epoch) {
    actions_.push_back(ThawShards{prepared_->view.epoch, prepared_->round});
  }
  prepared_.reset();
  voted_ = false;
  View before = std::move(record_.view);
  record_.previous = std::move(before);
  record_.view = std::move(v);
  record_.prepared.reset();
  record_.prepared_by.clear();
  record_.prepared_round = 0;
  persist();
}

void Reconfig::apply_commit(std::uint64_t now_us) {
  std::erase_if(promised_abort_, [this](const Promise& p) { return p.epoch <= record_.view.epoch; });
  track_view();
  const std::size_t n = record_.view.size();
  actions_.push_back(CommitShards{std::make_shared<const View>(record_.view),
                                  std::make_shared<const View>(*record_.previous), false});
  for (NodeIndex i = 0; i < n; ++i) {
    if (i != self() && peer_handover_[i] >= record_.view.epoch) {
      handover_told_[i] = true;
      actions_.push_back(HandoverDone{i, record_.view.epoch});
    }
  }
  if (record_.view.members[self()].state == MemberState::kLeft) actions_.push_back(LeftCluster{});
  next_follow_up_us_ = now_us;
}

void Reconfig::on_abort(const ViewAbort& f, std::uint64_t now_us) {
  if (prepared_ && prepared_->is(f.epoch, f.round, f.coordinator) && !own_) {
    thaw(now_us);
  }
}

void Reconfig::on_query(NodeIndex from, const ViewQuery& f) {
  if (from == kLocalNode) return;
  if (record_.view.epoch >= f.epoch) {
    actions_.push_back(SendViewFrame{from, ViewCommit{record_.view.epoch, record_.view.members}});
    return;
  }
  if (f.coordinator.empty()) return;  // a catch-up question about an epoch this node lacks
  if (prepared_ && prepared_->is(f.epoch, f.round, f.coordinator)) {
    return;  // prepared too (or still collecting votes, as its coordinator): undecided
  }
  // One epoch behind and not prepared for it: this node never voted yes for it (or heard it
  // aborted), and every member linked in its view votes on the next one: it cannot commit, as
  // long as this node keeps refusing it. It remembers that it said so (a VIEW_PREPARE for it may
  // still be on its way here), in memory: a restart in between is the remaining window.
  if (record_.view.epoch + 1 == f.epoch && record_.view.linked(self()) &&
      promised_abort_.size() < kMaxPromises) {
    if (!promised_abort(f.epoch, f.round, f.coordinator)) {
      promised_abort_.push_back({f.epoch, f.round, f.coordinator});
    }
    actions_.push_back(SendViewFrame{from, ViewAbort{f.epoch, f.round, f.coordinator}});
  }
}

bool Reconfig::promised_abort(std::uint64_t epoch, std::uint64_t round,
                              const std::string& coordinator) const {
  for (const auto& p : promised_abort_) {
    if (p.epoch == epoch && p.round == round && p.coordinator == coordinator) return true;
  }
  return false;
}

void Reconfig::on_heartbeat(NodeIndex from, std::uint64_t epoch, std::uint64_t handover_epoch,
                            std::uint64_t now_us) {
  if (from == self() || from == kLocalNode) return;
  if (from >= peer_epoch_.size()) {
    peer_epoch_.resize(from + 1, 0);
    peer_handover_.resize(from + 1, 0);
    handover_told_.resize(from + 1, false);
  }
  peer_epoch_[from] = epoch;
  peer_handover_[from] = std::max(peer_handover_[from], handover_epoch);
  const std::uint64_t current = record_.view.epoch;
  if (current > 0 && handover_epoch >= current && !handover_told_[from]) {
    handover_told_[from] = true;
    actions_.push_back(HandoverDone{from, current});
  }
  // A peer ahead of this node: a commit it missed (its link failed just then). Ask for it.
  if (!cfg_.catch_up) return;
  if (epoch > current && now_us >= next_catch_up_us_ &&
      !(prepared_ && prepared_->view.epoch >= epoch)) {
    next_catch_up_us_ = now_us + cfg_.query_every_us;
    actions_.push_back(SendViewFrame{from, ViewQuery{epoch, 0, ""}});
  } else if (epoch > current && prepared_ && prepared_->view.epoch == epoch &&
             now_us >= next_catch_up_us_) {
    next_catch_up_us_ = now_us + cfg_.query_every_us;
    actions_.push_back(
        SendViewFrame{from, ViewQuery{epoch, prepared_->round, prepared_->coordinator}});
  }
}

void Reconfig::on_shard_handed_over(std::uint32_t shard, std::uint64_t epoch,
                                    std::uint64_t now_us) {
  (void)now_us;
  if (epoch != record_.view.epoch || shard >= handed_over_.size()) return;
  handed_over_[shard] = true;
  if (record_.handed_over_epoch >= epoch) return;
  if (std::find(handed_over_.begin(), handed_over_.end(), false) != handed_over_.end()) return;
  record_.handed_over_epoch = epoch;
  persist();
  next_follow_up_us_ = now_us;
}

void Reconfig::on_tick(std::uint64_t now_us) {
  // A voter down before it voted: its vote (or this node's drain, which may need it) will not
  // come. The coordinator aborts at once; a member still draining refuses.
  if (own_) {
    for (std::size_t k = 0; k < own_->voters.size(); ++k) {
      const NodeIndex v = own_->voters[k];
      if (!own_->yes[k] && v != self() && !is_up_(v)) {
        abort_own(record_.view.members[v].id + " went down", now_us);
        break;
      }
    }
  }
  if (prepared_ && !voted_ && !own_) {
    for (NodeIndex v : voters_of(prepared_->view)) {
      if (v != self() && !is_up_(v)) {
        vote(false, record_.view.members[v].id + " went down while " + self_id() + " drained");
        thaw(now_us);
        break;
      }
    }
  }
  if (own_ && now_us >= own_->deadline_us) {
    std::string missing;
    for (std::size_t k = 0; k < own_->voters.size(); ++k) {
      if (own_->yes[k]) continue;
      if (!missing.empty()) missing += ", ";
      missing += record_.view.members[own_->voters[k]].id;
    }
    abort_own("no vote from " + missing + " in time", now_us);
  }
  if (prepared_ && !own_ && now_us >= prepared_at_us_ + cfg_.decision_timeout_us &&
      now_us >= next_query_us_) {
    next_query_us_ = now_us + cfg_.query_every_us;
    for (NodeIndex i = 0; i < record_.view.size(); ++i) {
      if (i != self() && record_.view.linked(i) && is_up_(i)) {
        actions_.push_back(
            SendViewFrame{i, ViewQuery{prepared_->view.epoch, prepared_->round,
                                       prepared_->coordinator}});
      }
    }
  }
  follow_up(now_us);
}

// A joining member activates itself once it can; a leaving member removes itself once it has
// handed everything over. Both retry (jittered) until their change commits.
void Reconfig::follow_up(std::uint64_t now_us) {
  if (now_us < next_follow_up_us_ || !joined()) return;
  next_follow_up_us_ = now_us + jittered(cfg_.retry_every_us);
  if (own_ || prepared_) return;
  const View& v = record_.view;
  const Member& me = v.members[self()];
  std::vector<Member> members = v.members;
  if (me.state == MemberState::kJoining) {
    members[self()].state = MemberState::kActive;
    (void)propose(std::move(members), "activate " + me.id, now_us);
    return;
  }
  // A leaving member that has handed everything over is removed by the first active member (by
  // id) that is up, not by itself: it stops once it hears the decision, and the coordinator must
  // stay to answer the others' questions about it.
  if (me.state != MemberState::kActive) return;
  for (NodeIndex i = 0; i < v.size(); ++i) {
    if (i != self() && v.active(i) && v.members[i].id < me.id && is_up_(i)) return;
  }
  for (NodeIndex i = 0; i < v.size(); ++i) {
    if (v.members[i].state != MemberState::kLeaving || i >= peer_handover_.size() ||
        peer_handover_[i] < v.epoch || !is_up_(i)) {
      continue;
    }
    members[i].state = MemberState::kLeft;
    (void)propose(std::move(members), "remove " + v.members[i].id, now_us);
    return;
  }
}

std::uint64_t Reconfig::next_deadline_us() const {
  std::uint64_t next = next_follow_up_us_;
  if (own_) next = std::min(next, own_->deadline_us);
  if (prepared_) next = std::min(next, std::max(next_query_us_, prepared_at_us_));
  return next;
}

std::string Reconfig::phase() const {
  if (!joined()) return "joining: waiting for the cluster's view";
  if (own_) {
    return "proposing epoch " + std::to_string(own_->proposal.view.epoch) + " (" +
           own_->proposal.what + ")";
  }
  if (prepared_) {
    return "prepared for epoch " + std::to_string(prepared_->view.epoch) + " of " +
           prepared_->coordinator;
  }
  if (record_.handed_over_epoch < record_.view.epoch) {
    return "handing over epoch " + std::to_string(record_.view.epoch);
  }
  return "stable";
}

}  // namespace iris::cluster
