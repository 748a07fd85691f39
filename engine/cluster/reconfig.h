#pragma once
// Reconfig: online joins and leaves, a sans-I/O state machine run by every node's driver next to
// its Membership (the Asio peer links, or the simulator). docs/cluster.md states the protocol and
// what it guarantees; in short:
//
// * A view change is proposed by one node, the coordinator: a join (a node started with --join
//   asks a member, which proposes it as kJoining), an activation (a joining member proposes itself
//   kActive once every member sees it up: users move to it), a leave (an operator asks any member
//   to make one kLeaving: its users move away) and a removal (the first active member by id
//   makes a leaving member kLeft once its heartbeats say it has handed everything over; the
//   member stops when it hears the decision). The epoch goes up by one per change.
// * Two phases. VIEW_PREPARE goes to every member of the current and the proposed view (but a
//   node being added). Each one checks it can (right epoch, no other change under way, the last
//   change's hand-over complete, every member up from here), persists the proposal, freezes its
//   shards (sends whose sender or recipient moves are refused; what is already in flight is
//   drained) and votes yes when they are drained. With every vote yes the coordinator persists the
//   new view and sends VIEW_COMMIT; one no, or no decision within prepare_timeout, and it sends
//   VIEW_ABORT. A member prepared with no decision for decision_timeout asks the others
//   (VIEW_QUERY): a node that committed answers with the view, one that knows the proposal cannot
//   have committed answers VIEW_ABORT; a coordinator that restarts before deciding aborts.
// * After a commit, each node hands over the users it lost (core/shard_view.cpp); its heartbeats
//   carry the highest epoch it has handed over, and a new owner serves the users it gained only
//   once their old owner's heartbeat says so. The next change waits for every hand-over.
//
// The driver feeds events with the current time and carries out the actions in order (Persist
// before anything that follows it: a vote or a commit is never sent before it is on disk).
// Not thread-safe. Deterministic: no randomness but the seeded jitter of its retries.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/cluster/view.h"
#include "engine/cluster/view_frames.h"
#include "engine/common/status.h"

namespace iris::cluster {

struct ReconfigConfig {
  std::uint32_t shards = 1;                          // the node's shards (reports to wait for)
  std::uint64_t prepare_timeout_us = 10'000'000;     // coordinator: every vote within this
  std::uint64_t decision_timeout_us = 3'000'000;     // prepared, no decision: start asking
  std::uint64_t query_every_us = 1'000'000;          // ... this often
  std::uint64_t retry_every_us = 500'000;            // a joining or leaving member's next step
  // A peer's heartbeat names a later epoch: ask it for its view (VIEW_QUERY). Off only in tests
  // of the fence itself, which keep nodes on different epochs on purpose.
  bool catch_up = true;
};

// What a node keeps on disk about its cluster (the driver writes it atomically, before it carries
// out the actions after the Persist).
struct ViewRecord {
  View view;                            // the committed view (self = this node)
  std::optional<View> previous;         // the view before it, while its hand-over matters
  std::optional<View> prepared;         // a proposal this node voted yes for, undecided
  std::string prepared_by;              // its coordinator's id
  std::uint64_t prepared_round = 0;     // and round
  std::uint64_t handed_over_epoch = 0;  // this node handed over what it lost in this epoch
};

// A view change's frame, to or from a peer.
using ViewFrame = std::variant<ViewPrepare, ViewVote, ViewCommit, ViewAbort, ViewQuery>;

// Actions.
struct SendViewFrame {  // to member `peer` (over the join link when it has no member link yet)
  NodeIndex peer;
  ViewFrame frame;
};
struct PersistView {
  ViewRecord record;
};
struct FreezeShards {  // core::ViewEvent kFreeze to every shard
  std::shared_ptr<const View> proposal;
  std::uint64_t round;
};
struct ThawShards {  // core::ViewEvent kThaw
  std::uint64_t epoch;
  std::uint64_t round;
};
struct CommitShards {  // core::ViewEvent kCommit; the driver also adopts `view` (links, routing)
  std::shared_ptr<const View> view;
  std::shared_ptr<const View> previous;
  bool handed_over;
};
struct HandoverDone {  // core::ViewEvent kHandoverDone: `node` handed over what it lost in `epoch`
  NodeIndex node;
  std::uint64_t epoch;
};
struct ChangeDecided {  // a change this node coordinated is decided (logs, admin callers)
  std::uint64_t epoch;
  bool committed;
  std::string what;  // "join n4", "activate n4", "leave n2", "remove n2"
  std::string reason;  // why it was aborted
};
struct LeftCluster {};  // this node is kLeft now: its driver stops it
using ReconfigAction = std::variant<SendViewFrame, PersistView, FreezeShards, ThawShards,
                                    CommitShards, HandoverDone, ChangeDecided, LeftCluster>;

class Reconfig {
 public:
  // `record.view` names this node (self). A node started with --join has no view yet: pass a
  // view of epoch 0 with this node alone in it, kJoining. `is_up(i)`: the failure detector's
  // opinion of member i (Membership::is_up).
  Reconfig(ViewRecord record, ReconfigConfig cfg, std::function<bool(NodeIndex)> is_up,
           std::uint64_t seed, std::uint64_t now_us);

  // What the driver does first, before any other event: the shards' view state (a commit whose
  // hand-over was not finished before a restart continues), a proposal still prepared (frozen).
  // The actions are then in take_actions().
  void start(std::uint64_t now_us);

  // Operator requests, on the node that will coordinate. Each returns the proposed epoch, or why
  // it cannot be proposed now (another change is under way, the member is unknown, ...).
  Result<std::uint64_t> request_join(const JoinRequest& join, std::uint64_t now_us);
  Result<std::uint64_t> request_leave(const std::string& node_id, std::uint64_t now_us);

  // Events.
  void on_frame(NodeIndex from, const ViewFrame& frame, std::uint64_t now_us);
  void on_heartbeat(NodeIndex from, std::uint64_t epoch, std::uint64_t handover_epoch,
                    std::uint64_t now_us);
  void on_shard_drained(std::uint32_t shard, std::uint64_t epoch, std::uint64_t round,
                        std::uint64_t now_us);
  void on_shard_handed_over(std::uint32_t shard, std::uint64_t epoch, std::uint64_t now_us);
  void on_tick(std::uint64_t now_us);

  std::vector<ReconfigAction> take_actions();

  const View& view() const { return record_.view; }
  const ViewRecord& record() const { return record_; }
  std::uint64_t handed_over_epoch() const { return record_.handed_over_epoch; }
  bool joined() const { return record_.view.epoch > 0; }
  // For an operator: "stable", "preparing epoch 5 (coordinator n1)", "handing over epoch 5", ...
  std::string phase() const;
  // The earliest time on_tick has something to do.
  std::uint64_t next_deadline_us() const;

 private:
  struct Proposal {
    View view;
    std::string coordinator;
    std::uint64_t round = 0;
    std::string what;
    bool is(std::uint64_t epoch, std::uint64_t r, const std::string& c) const {
      return view.epoch == epoch && round == r && coordinator == c;
    }
  };
  struct Coordinating {
    Proposal proposal;
    std::vector<NodeIndex> voters;
    std::vector<bool> yes;
    std::uint64_t deadline_us = 0;
  };

  NodeIndex self() const { return record_.view.self; }
  const std::string& self_id() const { return record_.view.members[self()].id; }
  Result<std::uint64_t> propose(std::vector<Member> members, std::string what,
                                std::uint64_t now_us);
  std::vector<NodeIndex> voters_of(const View& proposed) const;
  std::string check_can_prepare(const View& proposed) const;  // "" when it can
  void prepare(Proposal p, std::uint64_t now_us);
  void vote(bool yes, const std::string& reason);
  void on_prepare(NodeIndex from, const ViewPrepare& f, std::uint64_t now_us);
  void on_vote(NodeIndex from, const ViewVote& f, std::uint64_t now_us);
  void on_commit(const ViewCommit& f, std::uint64_t now_us);
  void on_abort(const ViewAbort& f, std::uint64_t now_us);
  void on_query(NodeIndex from, const ViewQuery& f);
  void decide_commit(std::uint64_t now_us);
  void abort_own(const std::string& reason, std::uint64_t now_us);
  void thaw(std::uint64_t now_us);
  void adopt(View v, std::uint64_t now_us);  // record_commit + apply_commit
  void record_commit(View v);                 // the record and its PersistView
  void apply_commit(std::uint64_t now_us);    // the shards, hand-over notices, leaving
  void follow_up(std::uint64_t now_us);
  void persist();
  void track_view();
  bool valid_members(const std::vector<Member>& members) const;
  std::uint64_t jittered(std::uint64_t us);
  std::uint64_t next_random();
  std::uint64_t next_round();

  ViewRecord record_;
  ReconfigConfig cfg_;
  std::function<bool(NodeIndex)> is_up_;
  std::uint64_t rng_;
  std::vector<ReconfigAction> actions_;

  std::optional<Proposal> prepared_;        // mirrors record_.prepared / prepared_by
  std::uint64_t prepared_at_us_ = 0;
  std::uint64_t next_query_us_ = 0;
  std::vector<bool> drained_;               // per shard, for prepared_
  bool voted_ = false;
  std::optional<Coordinating> own_;         // the change this node coordinates
  std::vector<bool> handed_over_;           // per shard, for the current epoch
  std::vector<std::uint64_t> peer_handover_;  // per member: the highest handover epoch heard
  std::vector<std::uint64_t> peer_epoch_;     // per member: the view epoch heard
  std::vector<bool> handover_told_;  // HandoverDone sent to the shards for the current epoch
  std::uint64_t next_follow_up_us_ = 0;
  // Proposals this node told a prepared member (VIEW_QUERY) cannot commit: it refuses them.
  struct Promise {
    std::uint64_t epoch, round;
    std::string coordinator;
  };
  static constexpr std::size_t kMaxPromises = 64;
  std::vector<Promise> promised_abort_;
  bool promised_abort(std::uint64_t epoch, std::uint64_t round, const std::string& c) const;
  std::uint64_t next_catch_up_us_ = 0;
};

}  // namespace iris::cluster
