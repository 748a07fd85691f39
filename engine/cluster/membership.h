#pragma once
// Membership: the failure detector of one cluster node, a sans-I/O state machine (no threads, no
// clock reads, no sockets). It keeps one peer link to every other member of the view and decides
// when a peer is up or down. The driver (the Asio driver, or the simulator) feeds it events with
// the current time, then drains the actions it produced (take_actions) and carries them out.
// Same seed + same events = same actions: its only randomness is its own seeded PRNG.
//
// One circuit breaker per peer:
//   kOpen        no link. The dialing side waits until retry_at_us, then dials.
//   kConnecting  we emitted Dial; waiting for on_link_up, or on_link_down (the dial failed). No
//                answer within down_after_us is a failure too (CloseLink: abandon the dial).
//   kHalfOpen    the link is connected and identified (the driver exchanged PEER_HELLO). We send a
//                Heartbeat at once and wait for the peer's first Heartbeat, which proves the peer
//                sees us too.
//   kClosed      the peer is UP. Heartbeats every heartbeat_us; each Heartbeat from the peer is
//                answered with a HeartbeatAck, and acks give the RTT.
// A failure (on_link_down while connecting or connected; silence for down_after_us while
// connected) goes back to kOpen and backs off: min(backoff_min * 2^(failures-1), backoff_max),
// jittered, so that a whole cluster does not redial a restarted node in lock step.
//
// Who dials: only the member with the lower id dials; the other one waits to be dialed. So there
// is exactly one link per pair: two nodes never dial each other at the same moment and end up
// with two connections to reconcile. Members that left (MemberState::kLeft) are not linked.
//
// The view changes (set_view) when a join or a leave commits: new members start kOpen, members
// that left are closed and forgotten. Indices never change (view.h).
//
// Driver contract: on_link_up whenever a link to the peer is identified (in any state; a new link
// replaces the old one); on_link_down when the current link or dial fails, but not for one the
// driver closed because of CloseLink; on_frame (or on_heartbeat*) for every frame from the peer;
// on_tick at next_deadline_us() at the latest. Not thread-safe.

#include <cstdint>
#include <limits>
#include <variant>
#include <vector>

#include "engine/cluster/heartbeat.h"
#include "engine/cluster/view.h"

namespace iris::cluster {

struct MembershipConfig {
  std::uint64_t heartbeat_us = 100'000;     // heartbeat period on every connected link
  std::uint64_t down_after_us = 1'000'000;  // nothing heard from a connected peer this long: failed
  std::uint64_t backoff_min_us = 100'000;   // first reconnect delay after a failure
  std::uint64_t backoff_max_us = 5'000'000;  // cap (doubles per consecutive failure)
  double jitter = 0.2;  // every reconnect delay is multiplied by a uniform factor in [1-j, 1+j]
};

enum class LinkState : std::uint8_t { kOpen, kConnecting, kHalfOpen, kClosed };
const char* to_string(LinkState state);

// Actions, for the driver to carry out.
struct Dial {
  NodeIndex peer;
};
struct CloseLink {  // close the link, or abandon the dial in progress
  NodeIndex peer;
};
struct SendHeartbeat {
  NodeIndex peer;
  Heartbeat hb;
};
struct SendHeartbeatAck {
  NodeIndex peer;
  HeartbeatAck ack;
};
struct StatusChanged {  // the peer came up (reached kClosed) or went down (left kClosed)
  NodeIndex peer;
  bool up;
};
using MembershipAction =
    std::variant<Dial, CloseLink, SendHeartbeat, SendHeartbeatAck, StatusChanged>;

// One peer, for an operator console.
struct PeerInfo {
  NodeIndex node;
  LinkState state;
  bool up;
  std::uint64_t last_heard_us;  // 0 = never
  std::uint64_t rtt_us;         // last sample, 0 = none
  std::uint32_t consecutive_failures;
  std::uint64_t retry_at_us;  // when we dial next (kOpen); 0 for a peer that dials us
  std::uint64_t ups;          // times it came up
  std::uint64_t downs;        // times it went down
};

inline constexpr std::uint64_t kNoDeadline = std::numeric_limits<std::uint64_t>::max();

class Membership {
 public:
  // Every peer starts kOpen; the peers we dial are dialed at the first tick at or after now_us.
  Membership(View view, MembershipConfig cfg, std::uint64_t seed, std::uint64_t now_us);

  // Events. Times never go backwards. Events about self or an index outside the view are ignored.
  void on_tick(std::uint64_t now_us);
  void on_link_up(NodeIndex peer, std::uint64_t now_us);
  void on_link_down(NodeIndex peer, std::uint64_t now_us);
  void on_frame(NodeIndex peer, std::uint64_t now_us);
  void on_heartbeat(NodeIndex peer, const Heartbeat& hb, std::uint64_t now_us);
  void on_heartbeat_ack(NodeIndex peer, const HeartbeatAck& ack, std::uint64_t now_us);

  // A new view of the same cluster (a higher epoch; indices kept, members maybe added or left).
  void set_view(View view, std::uint64_t now_us);
  // What every Heartbeat from now on says of this node's hand-over (reconfig.h): the highest
  // epoch whose moved users it has handed over.
  void set_handover_epoch(std::uint64_t epoch) { handover_epoch_ = epoch; }

  // The actions produced since the last call, in order.
  std::vector<MembershipAction> take_actions();

  bool is_up(NodeIndex node) const;  // self is always up; an index outside the view never is
  const View& view() const { return view_; }
  // The earliest time at which on_tick has something to do (a dial, a heartbeat or a timeout);
  // kNoDeadline when nothing is scheduled.
  std::uint64_t next_deadline_us() const;
  std::vector<PeerInfo> peers() const;  // every member except self, in index order

 private:
  struct Peer {
    LinkState state = LinkState::kOpen;
    std::uint64_t last_heard_us = 0;
    std::uint64_t rtt_us = 0;
    std::uint32_t consecutive_failures = 0;
    std::uint64_t retry_at_us = 0;        // kOpen, dialing side
    std::uint64_t dial_deadline_us = 0;   // kConnecting
    std::uint64_t next_heartbeat_us = 0;  // kHalfOpen, kClosed
    std::uint64_t last_seq = 0;           // of our last Heartbeat to it
    std::uint64_t ups = 0;
    std::uint64_t downs = 0;
  };

  bool is_peer(NodeIndex node) const {
    return node != view_.self && node < peers_.size() && view_.linked(node);
  }
  bool we_dial(NodeIndex peer) const {
    return view_.members[view_.self].id < view_.members[peer].id;
  }
  static bool connected(const Peer& p) {
    return p.state == LinkState::kHalfOpen || p.state == LinkState::kClosed;
  }
  void send_heartbeat(NodeIndex peer, std::uint64_t now_us);
  void fail(NodeIndex peer, std::uint64_t now_us, bool close);
  std::uint64_t backoff_us(std::uint32_t failures);
  double next_unit();  // uniform in [0, 1)

  View view_;
  MembershipConfig cfg_;
  std::uint64_t rng_;        // splitmix64 state
  std::vector<Peer> peers_;  // indexed by NodeIndex; the entry for self is unused
  std::uint64_t handover_epoch_ = 0;
  std::vector<MembershipAction> actions_;
};

}  // namespace iris::cluster
