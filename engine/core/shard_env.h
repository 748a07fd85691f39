#pragma once
// ShardEnv: everything a Shard sees of the world — clock, connections, other shards, store,
// randomness. The real driver (engine/net) and the simulator each implement it; the Shard's logic
// is the same code in both. All calls are made from the shard's own thread, and the
// implementation delivers every callback for this shard (store completions, mailbox messages,
// frames) on that same thread, one at a time.

#include <cstdint>
#include <span>

#include "engine/core/shard_message.h"
#include "engine/core/types.h"
#include "engine/store/store.h"

namespace iris::core {

// What a shard tells its driver about a view change (engine/cluster/reconfig.h).
struct ShardReport {
  enum class Kind : std::uint8_t {
    kDrained,     // frozen for the proposal of `epoch`, and everything sent before is answered
    kHandedOver,  // every user this shard lost in `epoch` is handed over (and, on a member that
                  // is leaving, every hand-off queue and forward is empty)
  };
  Kind kind = Kind::kDrained;
  ShardId shard = 0;
  std::uint64_t epoch = 0;
  std::uint64_t round = 0;  // kDrained: the proposal's round
};

class ShardEnv {
 public:
  virtual ~ShardEnv() = default;

  // Wall-clock time, Unix microseconds (virtual time in the simulator).
  virtual std::uint64_t now_us() = 0;
  virtual std::uint64_t random_u64() = 0;

  // Queues bytes for the connection; the driver writes them after the current turn (many frames,
  // one write). Unknown or closed connections are ignored.
  virtual void send(ConnId conn, std::span<const std::uint8_t> bytes) = 0;
  // Closes the connection once what was queued before the call is written.
  virtual void close(ConnId conn) = 0;
  // From now on, the connection's frames and its close event go to shard `home`.
  virtual void set_home(ConnId conn, ShardId home) = 0;

  // Posts to another shard (or this one). False when the target's mailbox is full; only
  // RouteMessage posts may be refused, every other kind is always accepted (each is bounded by
  // the routes or sessions that cause it).
  virtual bool post(ShardId target, ShardMessage message) = 0;

  // The store; its completions run on this shard's thread.
  virtual store::Store& store() = 0;

  // Cluster (docs/cluster.md). nullptr: a single node, every user is local. The view the shard
  // starts with; later views reach it as ViewEvents.
  virtual const cluster::View* view() { return nullptr; }
  // A view change's progress, for the driver's Reconfig.
  virtual void report(const ShardReport& report) { (void)report; }
  // Sends a RouteMessage, SendOutcome, PresenceRequest or PresenceNotice to member `node`, over
  // its FIFO peer link; the receiving driver hands it to shard_for_peer_message() there. False
  // when the link is down or its queue is full: nothing was sent (PeerStatus down follows).
  virtual bool post_node(cluster::NodeIndex node, ShardMessage message) {
    (void)node;
    (void)message;
    return false;
  }
};

// The shard of this node that takes a message arriving from peer node `origin`: routes by their
// recipient's, subscriber's or target's home shard; outcomes go to the shard that relays to
// `origin` (the one whose hand-off queue for it is shard_of(handoff_queue_name(origin))), since
// it tracks what it forwarded there.
inline ShardId shard_for_peer_message(const ShardMessage& m, const cluster::View& view,
                                      std::uint32_t shards) {
  struct Visitor {
    const cluster::View& view;
    std::uint32_t shards;
    ShardId operator()(const RouteMessage& r) const { return shard_of(r.recipient, shards); }
    ShardId operator()(const SendOutcome& o) const {
      if (!o.recipient.empty()) return shard_of(o.recipient, shards);  // a hand-over's answer
      return shard_of(cluster::handoff_queue_name(view.members.at(o.origin).id), shards);
    }
    ShardId operator()(const PresenceRequest& r) const { return shard_of(r.target, shards); }
    ShardId operator()(const PresenceNotice& n) const { return shard_of(n.subscriber, shards); }
    ShardId operator()(const AdoptSession&) const { return 0; }  // never crosses nodes
    ShardId operator()(const PeerStatus&) const { return 0; }     // never crosses nodes
    ShardId operator()(const ViewEvent&) const { return 0; }      // never crosses nodes
    ShardId operator()(const FreezeMark&) const { return 0; }     // never crosses nodes
  };
  return std::visit(Visitor{view, shards}, m);
}

}  // namespace iris::core
