#pragma once
// Private state of a SimCluster, shared by its implementation files only (sim_cluster.cpp: nodes,
// links, observation; sim_clients.cpp: virtual clients and client connections; faults.cpp).

#include <algorithm>
#include <chrono>

#include "engine/peer/peer_codec.h"
#include "engine/peer/peer_message.h"
#include "simulator/sim_cluster.h"

namespace iris::sim {

using core::ConnId;
using core::ShardId;

// ---------------------------------------------------------------------------------------------
// Per-node state. Everything but the disk (store) dies with the process.

struct SimCluster::Node {
  std::uint32_t index = 0;
  std::string id;
  cluster::View view;               // the committed view the shards start with
  cluster::ViewRecord record;       // on the disk: survives kills
  std::unique_ptr<SimStore> store;  // the disk: survives kills
  bool left = false;                // left the cluster: stopped for good
  std::uint64_t next_join_try_us = 0;
  bool alive = false;
  std::uint64_t gen = 0;  // bumped at every kill: events of a dead incarnation do nothing
  std::uint64_t incarnation = 0;
  std::unique_ptr<cluster::Membership> membership;
  std::unique_ptr<cluster::Reconfig> reconfig;
  std::vector<std::unique_ptr<ShardStore>> stores;
  std::vector<std::unique_ptr<Env>> envs;
  std::vector<std::unique_ptr<core::Shard>> shards;
  struct Conn {
    std::size_t client = 0;
    std::uint64_t client_gen = 0;  // the client's connection it belongs to
    ShardId home = 0;
    protocol::FrameReader reader;
    std::uint64_t last_arrival = 0;  // node -> client FIFO
    bool closing = false;
  };
  std::unordered_map<ConnId, Conn> conns;
  ConnId next_conn = 0;
  std::uint64_t clog_us = 0;
  std::uint64_t cpu_burn_us = 0;   // CpuBurn: inbound frames and timers wait this much more
  std::uint64_t memory_limit = 0;  // MemoryPressure: per-shard limit, 0 = the config's
};

struct SimCluster::Client {
  std::string user;
  std::unique_ptr<client::ClientCore> core;
  std::uint64_t conn_gen = 0;  // bumped per connection attempt
  std::uint32_t node = 0;
  ConnId conn = 0;  // 0: not accepted yet
  bool connected = false;
  std::optional<std::uint32_t> redirect;
  std::uint64_t last_arrival = 0;  // client -> node FIFO
  bool stalled = false;            // slow consumer: bytes wait unread
  bool offline = false;            // churn: stays disconnected
  bool tick_armed = false;
  std::vector<PresenceSeen> presence;
  std::vector<protocol::Bytes> unread;
  // ClientSpec::acks_per_session: the application ACKs this many deliveries per session; the
  // rest it leaves unacknowledged (released to the checker when the session ends).
  std::optional<std::uint64_t> acks_per_session;
  std::uint64_t acked_this_session = 0;
  struct Unacked {
    std::string sender;
    std::uint64_t client_msg_id = 0;
  };
  std::vector<Unacked> unacked;
};

// Times engine code when SimConfig::measure_engine_time is set: the outermost scope on the stack
// adds its wall time (one thread: the engine's CPU time, less preemption). It includes what the
// engine calls back into synchronously (the simulated driver queueing its output), not the
// simulated network, disk or clients.
class SimCluster::EngineScope {
 public:
  explicit EngineScope(SimCluster& c) : c_(c) {
    if (c_.config_.measure_engine_time && c_.engine_depth_++ == 0) {
      start_ = std::chrono::steady_clock::now();
    }
  }
  ~EngineScope() {
    if (c_.config_.measure_engine_time && --c_.engine_depth_ == 0) {
      c_.engine_ns_ += static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                               start_)
              .count());
    }
  }
  EngineScope(const EngineScope&) = delete;
  EngineScope& operator=(const EngineScope&) = delete;

 private:
  SimCluster& c_;
  std::chrono::steady_clock::time_point start_;
};

// A shard's store: the node's SimStore, with every completion followed by the shard's end_turn
// (as the real driver ends a turn after each batch of events).
class SimCluster::ShardStore final : public store::Store {
 public:
  ShardStore(SimCluster& c, std::uint32_t node, ShardId shard)
      : c_(c), node_(node), shard_(shard) {}
  template <typename Done>
  Done wrap(Done done) {
    return [this, done = std::move(done)](auto result) {
      EngineScope engine(c_);
      if (done) done(std::move(result));
      c_.end_turn(node_, shard_);
    };
  }
  void append(std::vector<store::StoredMessage> m, store::Completion done) override {
    disk().append(std::move(m), wrap(std::move(done)));
  }
  void remove(std::vector<std::uint64_t> ids, store::Completion done) override {
    disk().remove(std::move(ids), wrap(std::move(done)));
  }
  void load_inbox(std::string r, std::uint64_t after, std::size_t limit,
                  store::LoadCompletion done) override {
    disk().load_inbox(std::move(r), after, limit, wrap(std::move(done)));
  }
  void list_recipients(store::ListCompletion done) override {
    disk().list_recipients(wrap(std::move(done)));
  }
  void put_last_seen(std::string u, std::uint64_t ms, store::Completion done) override {
    disk().put_last_seen(std::move(u), ms, wrap(std::move(done)));
  }
  void get_last_seen(std::string u, store::LastSeenCompletion done) override {
    disk().get_last_seen(std::move(u), wrap(std::move(done)));
  }
  Result<std::uint64_t> next_incarnation() override { return disk().next_incarnation(); }
  void flush() override {}
  store::StoreStats stats() const override { return c_.nodes_[node_]->store->stats(); }

 private:
  SimStore& disk() { return *c_.nodes_[node_]->store; }
  SimCluster& c_;
  std::uint32_t node_;
  ShardId shard_;
};

class SimCluster::Env final : public core::ShardEnv {
 public:
  Env(SimCluster& c, std::uint32_t node, ShardId shard) : c_(c), node_(node), shard_(shard) {}
  std::uint64_t now_us() override { return c_.world_.now_us(); }
  std::uint64_t random_u64() override { return c_.world_.rng().next(); }
  void send(ConnId conn, std::span<const std::uint8_t> bytes) override {
    c_.node_send(node_, conn, bytes);
  }
  void close(ConnId conn) override { c_.node_close(node_, conn); }
  void set_home(ConnId conn, ShardId home) override {
    auto& n = *c_.nodes_[node_];
    if (auto it = n.conns.find(conn); it != n.conns.end()) it->second.home = home;
  }
  bool post(ShardId target, core::ShardMessage message) override {
    Node& n = *c_.nodes_[node_];
    c_.world_.after(0, [this, gen = n.gen, target, m = std::move(message)]() mutable {
      Node& node = *c_.nodes_[node_];
      if (!node.alive || node.gen != gen) return;
      EngineScope engine(c_);
      node.shards[target]->on_message(std::move(m));
      c_.end_turn(node_, target);
    });
    return true;
  }
  store::Store& store() override { return *c_.nodes_[node_]->stores[shard_]; }
  void report(const core::ShardReport& r) override {
    // After this turn: the report may lead to view events for this very shard.
    c_.world_.after(0, [c = &c_, node = node_, gen = c_.nodes_[node_]->gen, r] {
      auto& n = *c->nodes_[node];
      if (!n.alive || n.gen != gen) return;
      if (r.kind == core::ShardReport::Kind::kDrained) {
        n.reconfig->on_shard_drained(r.shard, r.epoch, r.round, c->world_.now_us());
      } else {
        n.reconfig->on_shard_handed_over(r.shard, r.epoch, c->world_.now_us());
      }
      c->run_actions(node);
    });
  }
  const cluster::View* view() override { return &c_.nodes_[node_]->view; }
  bool post_node(cluster::NodeIndex node, core::ShardMessage message) override {
    auto frame = peer::to_peer_frame(std::move(message));
    return frame && c_.send_peer(node_, node, *frame);
  }

 private:
  SimCluster& c_;
  std::uint32_t node_;
  ShardId shard_;
};

}  // namespace iris::sim
