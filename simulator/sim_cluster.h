#pragma once
// SimCluster: N Iris nodes — the engine's own Shards and Membership, unchanged — in one thread on
// virtual time (World). The simulated driver gives each node its ShardEnvs, a SimStore on a
// simulated disk, peer links that behave like TCP (FIFO; a partition stalls a link until its
// heartbeat timeout closes it; a killed node's links reset at once) and client connections for
// virtual clients that run the engine's ClientCore. Peer frames go through the real peer codec.
// A Checker sees every send, SEND_ACK and delivery. Faults (faults.h) apply at any time.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/client/client_core.h"
#include "engine/cluster/membership.h"
#include "engine/core/config.h"
#include "engine/core/shard.h"
#include "engine/peer/peer_codec.h"
#include "simulator/checker.h"
#include "simulator/faults.h"
#include "simulator/sim_store.h"
#include "simulator/sim_world.h"

namespace iris::sim {

struct SimConfig {
  std::uint32_t nodes = 3;
  std::uint32_t shards_per_node = 2;
  core::CoreConfig core;  // node_id and shards are set per node
  cluster::MembershipConfig membership;
  std::uint64_t net_latency_us = 250;  // one way, between nodes and between client and node
  std::uint64_t net_jitter_us = 100;
  std::uint64_t connect_timeout_us = 500'000;  // a dial into a partition fails after this
  std::uint64_t tick_us = 5'000;               // shard and membership timers
  std::uint64_t client_tick_us = 50'000;       // client resend timer
  std::uint64_t client_backoff_us = 300'000;   // reconnect after a refused or lost connection
  // View epoch per node (empty: 1 everywhere). A node whose epoch differs from the owner's has
  // its routes fenced: a test of the fence, not a configuration a real cluster would run.
  std::vector<std::uint64_t> epochs;
};

// What the console and reports show of a running cluster.
struct HotUser {  // a recipient promoted to inbox buckets
  std::string user;
  std::uint32_t buckets = 0;
  std::size_t inbox = 0;
};
struct ShardSnapshot {
  std::uint32_t id = 0;
  std::uint64_t sessions = 0, users = 0, inbox_messages = 0, memory_bytes = 0;
  std::uint64_t sends_accepted = 0, delivered = 0;
  std::vector<HotUser> hot_users;
};
struct NodeSnapshot {
  std::string id;
  bool alive = false;
  std::uint64_t incarnation = 0;
  std::uint64_t sessions = 0, users = 0, inbox_messages = 0, memory_bytes = 0;
  std::uint64_t sends_accepted = 0, delivered = 0, forwarded = 0, handoff_queued = 0;
  std::uint64_t refused_store = 0, refused_retry_later = 0;
  std::uint64_t hot_promotions = 0, bucketed_messages = 0, routes_fenced = 0;
  std::uint64_t store_rows = 0, store_bytes = 0;
  std::vector<cluster::PeerInfo> peers;
  std::vector<ShardSnapshot> shards;  // empty while the node is down
};
struct ClusterSnapshot {
  std::uint64_t now_us = 0;
  std::uint64_t seed = 0;
  std::vector<NodeSnapshot> nodes;
  std::vector<std::string> active_faults;
  std::uint64_t sent = 0, acked = 0, delivered = 0, violations = 0;
};

class SimCluster {
 public:
  SimCluster(SimConfig config, std::uint64_t seed);
  ~SimCluster();
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  World& world() { return world_; }
  Checker& checker() { return checker_; }
  const SimConfig& config() const { return config_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }

  // Virtual clients: each logs in (to a random node; a redirect takes it home) and stays online,
  // reconnecting after any loss.
  void add_client(const std::string& user);
  // Churn: the user's client closes its connection and stays away until set_online(user, true).
  void set_online(const std::string& user, bool online);
  // Presence: `user`'s client subscribes to `target`; presence_seen() lists what it was told.
  struct PresenceSeen {
    std::string target;
    bool online = false;
    std::uint64_t last_seen_ms = 0;
    std::uint64_t at_us = 0;
  };
  void subscribe(const std::string& user, const std::string& target);
  const std::vector<PresenceSeen>& presence_seen(const std::string& user) const;
  // Sends now from `from`'s client; returns the client message id, 0 if the client refused it
  // (too many pending). The checker records it.
  std::uint64_t send(const std::string& from, const std::string& to, const std::string& payload);

  void apply(const Fault& fault);
  void schedule(std::uint64_t at_us, Fault fault);
  void run_until(std::uint64_t t_us) { world_.run_until(t_us); }

  // Every client's sends answered and every acknowledged message delivered.
  bool settled() const;
  // Users with a session on more than one node right now (must stay empty).
  std::vector<std::string> users_online_twice() const;
  // Rows left in the stores of live nodes (after a settled run: read messages not deleted).
  std::uint64_t stored_rows() const;
  bool node_alive(std::uint32_t node) const;
  const std::string& node_id(std::uint32_t node) const;
  std::uint32_t owner_of(const std::string& user) const { return view_.owner_of(user); }
  SimStore& disk(std::uint32_t node);  // the node's disk (tests inject what faults cannot)
  ClusterSnapshot snapshot() const;
  std::vector<std::string> fault_log() const { return fault_log_; }

 private:
  struct Node;
  struct Client;
  class Env;
  class ShardStore;
  struct Link {
    bool up = false;
    bool broken = false;  // a frame was dropped: TCP stalls, nothing more gets through
    std::uint64_t gen = 0;
    std::uint64_t last_arrival[2] = {0, 0};  // per direction (low->high, high->low)
  };

  std::uint64_t latency(std::uint32_t from, std::uint32_t to);
  Link& link(std::uint32_t a, std::uint32_t b);
  bool blocked(std::uint32_t from, std::uint32_t to) const;

  void start_node(std::uint32_t i);
  void kill_node(std::uint32_t i);
  void tick_node(std::uint32_t i, std::uint64_t gen);
  void run_actions(std::uint32_t i);
  void dial(std::uint32_t from, std::uint32_t to);
  void close_link(std::uint32_t from, std::uint32_t to, bool notify_from);
  bool send_peer(std::uint32_t from, std::uint32_t to, const peer::PeerFrame& frame);
  void deliver_peer(std::uint32_t to, std::uint32_t from, std::uint64_t gen,
                    const protocol::Bytes& bytes);
  void end_turn(std::uint32_t node, core::ShardId shard);

  void connect(std::size_t client, std::uint32_t node);
  void client_flush(std::size_t client);
  void arm_client_tick(std::size_t client);
  void client_rx(std::size_t client, std::uint64_t conn_gen, protocol::Bytes bytes);
  void client_closed(std::size_t client, std::uint64_t conn_gen);
  void client_events(std::size_t client);
  void schedule_reconnect(std::size_t client, std::uint64_t delay_us);
  void node_rx(std::uint32_t node, core::ConnId conn, protocol::Bytes bytes);
  void pump_conn(std::uint32_t node, core::ConnId conn);
  void node_send(std::uint32_t node, core::ConnId conn, std::span<const std::uint8_t> bytes);
  void node_close(std::uint32_t node, core::ConnId conn);

  SimConfig config_;
  World world_;
  Checker checker_;
  cluster::View view_;  // the static membership every node starts with (self varies)
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Link> links_;                                // nodes x nodes, used for a < b
  std::set<std::pair<std::uint32_t, std::uint32_t>> cut_;  // blocked directions
  std::vector<std::unique_ptr<Client>> clients_;
  std::unordered_map<std::string, std::size_t> client_of_;
  std::vector<std::string> fault_log_;
  double link_loss_ = 0;  // LossyLinks
};

}  // namespace iris::sim
