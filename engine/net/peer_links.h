#pragma once
// PeerLinks: the real driver of a node's cluster links. One thread with its own io_context runs
// the engine's Membership (heartbeats, failure detector, circuit breakers), its Reconfig (joins
// and leaves: engine/cluster/reconfig.h) and one TCP connection per peer (the member with the
// lower id dials; PEER_HELLO both ways names cluster and node). Frames from peers go to the shard
// that takes them (core::shard_for_peer_message) through one extra SPSC ring in every worker's
// mailbox; frames from shards arrive already encoded, one batch per worker turn (submit()).
// docs/cluster.md describes the protocol and the guarantees.
//
// A node started with --join has no view: it dials the given member, says PEER_HELLO with epoch
// 0 and JOIN_REQUEST on that link, and waits for VIEW_COMMIT there. A member accepts such a
// link from a node it does not know (epoch 0 only), proposes the join, and sends the decision
// back on it.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/cluster/membership.h"
#include "engine/cluster/reconfig.h"
#include "engine/common/status.h"
#include "engine/core/shard_env.h"
#include "engine/core/shard_message.h"
#include "engine/net/mailbox.h"
#include "engine/net/options.h"
#include "engine/peer/peer_codec.h"

namespace iris::net {

class NodeServer;

class PeerLinks {
 public:
  PeerLinks(NodeServer& server, const ServerOptions& options, std::uint64_t incarnation);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  // Before the workers run: what the shards must see before anything else (the view before the
  // current one, a proposal still prepared). Call once, before start().
  std::vector<core::ViewEvent> startup_events();
  Status start();  // binds the peer listener, starts the thread
  void stop();     // closes every link, joins the thread; idempotent
  std::uint16_t peer_port() const { return peer_port_; }

  // Any thread: the committed view now (it changes when a join or a leave commits).
  std::shared_ptr<const cluster::View> view() const;
  // Any thread. True when a link to `node` is connected now (a later failure still drops what
  // was submitted; the shards learn it from PeerStatus down and take their forwards back).
  bool connected(cluster::NodeIndex node) const;
  // Any thread: whole encoded frames for `node`, in order.
  void submit(cluster::NodeIndex node, protocol::Bytes frames);
  // Any thread: the peers' link states (a copy, refreshed at every membership event).
  std::vector<cluster::PeerInfo> peers() const;
  // Any thread: the most frames ever waiting for one worker (bounded by the option plus one read).
  std::size_t pending_high_water() const { return high_water_.load(std::memory_order_relaxed); }
  // Any thread: a shard's view-change report (ShardEnv::report).
  void report(const core::ShardReport& report);

  // Any thread, blocking (at most 2 s): an operator asks `node_id` to leave. The proposal's
  // epoch, or why it cannot be proposed now.
  Result<std::uint64_t> request_leave(const std::string& node_id);
  // Any thread: where view changes stand, for the admin API.
  struct Decision {
    std::uint64_t epoch = 0;
    bool committed = false;
    std::string what, reason;
    std::uint64_t at_ms = 0;  // Unix ms
  };
  struct ReconfigStatus {
    std::shared_ptr<const cluster::View> view;
    std::string phase;
    std::uint64_t handed_over_epoch = 0;
    std::vector<Decision> decisions;  // the last few this node coordinated, oldest first
  };
  ReconfigStatus reconfig_status() const;

  // A fault on the link to one peer (the admin API's peer_drop / peer_delay). Dropped frames
  // vanish, heartbeats too, so the failure detectors of both ends fail the link and it stays
  // down (a partition as this node makes it); delayed frames keep their order. A default
  // LinkFault ends the fault.
  struct LinkFault {
    bool drop_out = false, drop_in = false;
    std::uint64_t delay_out_us = 0, delay_in_us = 0;
  };
  // Any thread (applied on the links thread).
  void set_link_fault(cluster::NodeIndex peer, LinkFault fault);

 private:
  struct Conn;
  void on_timer();
  void run_actions();
  void run_reconfig_queue();
  void run_reconfig_action(cluster::ReconfigAction& action);
  void adopt_view(const cluster::View& v);
  void accept();
  void dial(cluster::NodeIndex peer);
  void dial_join();
  void start_conn(const std::shared_ptr<Conn>& c);
  void read(const std::shared_ptr<Conn>& c);
  void on_frame(const std::shared_ptr<Conn>& c, const peer::PeerFrameView& view);
  void handle_frame(const std::shared_ptr<Conn>& c, peer::PeerFrame frame);
  void handle_hello(const std::shared_ptr<Conn>& c, const peer::PeerHello& h);
  void handle_join_frame(const std::shared_ptr<Conn>& c, peer::PeerFrame frame);
  void release_delayed(const std::shared_ptr<Conn>& c, std::uint64_t now);
  const LinkFault& fault_of(const Conn& c) const;
  void write(const std::shared_ptr<Conn>& c, protocol::Bytes bytes);
  void pump_writes(const std::shared_ptr<Conn>& c);
  void fail(const std::shared_ptr<Conn>& c, const std::string& why);
  void drop_link(cluster::NodeIndex peer);
  void close_gracefully(const std::shared_ptr<Conn>& c);
  void to_shards(core::ShardMessage message);
  void deliver(std::uint32_t shard, core::ShardMessage message);
  void push_pending();
  void flush_submitted();
  protocol::Bytes hello() const;
  std::uint64_t now_us() const;
  const std::string& self_id() const { return view_.members[view_.self].id; }

  NodeServer& server_;
  const ServerOptions& options_;
  const std::uint64_t incarnation_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // set when peer links are TLS
  boost::asio::steady_timer timer_;
  cluster::View view_;  // the committed view (links thread)
  std::unique_ptr<cluster::Membership> membership_;
  std::unique_ptr<cluster::Reconfig> reconfig_;
  std::deque<cluster::ReconfigAction> reconfig_queue_;  // waiting behind a PersistView
  bool persist_pending_ = false;
  boost::asio::thread_pool persist_pool_{1};  // writes the view file (fsync)
  // Per member, sized kMaxMembers (indices are stable; a joiner gets the next one).
  std::vector<std::shared_ptr<Conn>> links_;    // identified link per member (cluster thread)
  std::vector<std::shared_ptr<Conn>> dialing_;  // dial in progress per member
  std::unique_ptr<std::atomic<bool>[]> connected_;
  // Links of nodes asking to join (on a member), or this node's link to the member it asked.
  std::vector<std::shared_ptr<Conn>> join_links_;
  std::uint64_t next_join_dial_us_ = 0;
  // Encoded frames from the workers, per member, and which members have some (guarded by mu_).
  mutable std::mutex mu_;
  std::vector<protocol::Bytes> submitted_;
  std::vector<cluster::NodeIndex> submitted_nodes_;
  bool flush_posted_ = false;
  std::vector<cluster::PeerInfo> peers_copy_;
  std::shared_ptr<const cluster::View> shared_view_;
  std::string phase_copy_;
  std::uint64_t handed_over_copy_ = 0;
  std::deque<Decision> decisions_;
  // Messages for a worker whose ring was full (cluster thread), in order per worker.
  std::vector<std::deque<MailItem>> pending_;
  bool reads_paused_ = false;                  // a worker's pending queue is full
  std::vector<std::shared_ptr<Conn>> paused_;  // links whose next read waits for room
  std::atomic<std::size_t> high_water_{0};
  std::vector<LinkFault> faults_;  // per member (links thread)
  std::uint16_t peer_port_ = 0;
  std::thread thread_;
  bool started_ = false, stopped_ = false, left_ = false;
};

}  // namespace iris::net
