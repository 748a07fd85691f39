#pragma once
// SimCluster: N Iris nodes — the engine's own Shards and Membership, unchanged — in one thread on
// virtual time (World). The simulated driver gives each node its ShardEnvs, a SimStore on a
// simulated disk, peer links that behave like TCP (FIFO; a partition stalls a link until its
// heartbeat timeout closes it; a killed node's links reset at once) and client connections for
// virtual clients that run the engine's ClientCore. Peer frames go through the real peer codec.
// A Checker sees every send, SEND_ACK and delivery. Faults (faults.h) apply at any time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/client/client_core.h"
#include "engine/cluster/membership.h"
#include "engine/cluster/reconfig.h"
#include "engine/core/config.h"
#include "engine/core/shard.h"
#include "engine/peer/peer_codec.h"
#include "simulator/checker.h"
#include "simulator/faults.h"
#include "simulator/sim_store.h"
#include "simulator/sim_world.h"
#include "simulator/snapshot.h"
#include "simulator/target.h"

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
  // Regions (S4): node i is in region regions[i] (empty: one region). Links between nodes of
  // different regions take wan_latency_us more, one way.
  std::vector<std::uint32_t> regions;
  std::uint64_t wan_latency_us = 40'000;
  bool measure_engine_time = false;  // engine_seconds() (costs two clock reads per engine call)
  bool client_dedup = true;          // false: clients keep no dedup memory (tests of the checker)
  // View epoch per node (empty: 1 everywhere). A node whose epoch differs from the owner's has
  // its routes fenced: a test of the fence, not a configuration a real cluster would run.
  std::vector<std::uint64_t> epochs;
  cluster::ReconfigConfig reconfig;  // joins and leaves (shards is set per node)
};

// A view change seen by the simulator: one the cluster decided (committed or aborted), or a
// request the coordinator refused outright.
struct ViewChangeRecord {
  std::uint64_t t_us = 0;
  std::uint64_t epoch = 0;  // 0: refused before a proposal
  bool committed = false;
  std::string what;    // "join n03", "leave n01", ...
  std::string reason;  // why not
};

class SimCluster final : public FireTarget {
 public:
  SimCluster(SimConfig config, std::uint64_t seed);
  ~SimCluster() override;
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  World& world() { return world_; }
  Checker& checker() override { return checker_; }
  const SimConfig& config() const { return config_; }

  // FireTarget
  std::string kind() const override { return "simulator"; }
  bool replayable() const override { return true; }
  std::uint32_t size() const override { return static_cast<std::uint32_t>(nodes_.size()); }
  std::string node_id(std::uint32_t node) const override;
  // The owner under the latest view any node has committed.
  std::uint32_t owner_of(const std::string& user) const override;
  std::uint64_t now_us() const override { return world_.now_us(); }
  void at(std::uint64_t t_us, std::function<void()> fn) override { world_.at(t_us, std::move(fn)); }
  void run_until(std::uint64_t t_us) override { world_.run_until(t_us); }

  // Virtual clients: each logs in (to a random node; a redirect takes it home) and stays online,
  // reconnecting after any loss.
  void add_client(const std::string& user, const ClientSpec& spec) override;
  void add_client(const std::string& user) { add_client(user, ClientSpec{}); }
  // Churn: the user's client closes its connection and stays away until set_online(user, true).
  void set_online(const std::string& user, bool online) override;
  bool online(const std::string& user) const override;
  // Presence: `user`'s client subscribes to `target` (or asks once); presence_seen() lists what it
  // was told.
  void subscribe(const std::string& user, const std::string& target) override;
  void query_presence(const std::string& user, const std::string& target) override;
  const std::vector<PresenceSeen>& presence_seen(const std::string& user) const override;
  std::uint64_t send(const std::string& from, const std::string& to, const std::string& payload,
                     std::uint64_t scheduled_us) override;
  std::uint64_t send(const std::string& from, const std::string& to, const std::string& payload) {
    return send(from, to, payload, world_.now_us());
  }
  std::uint64_t wire_redeliveries(const std::string& user) const override;

  void apply(const Fault& fault) override;
  void schedule(std::uint64_t at_us, Fault fault);
  std::vector<FaultRecord> fault_log() const override { return fault_log_; }

  bool settled() const override;
  std::vector<std::string> misplaced_sessions() const override;
  // Rows left in the stores of live nodes (after a settled run: read messages not deleted).
  std::uint64_t stored_rows(const std::string& recipient = {}) const override;
  ClusterSnapshot snapshot() const override;
  // Wall-clock time spent inside engine code (shards, membership, peer codec) so far: one thread,
  // so it is the engine's CPU time, less preemption.
  std::optional<double> engine_seconds() const override;
  std::uint64_t trace_hash() const override { return world_.trace_hash(); }
  std::uint64_t events_run() const override { return world_.events_run(); }

  bool node_alive(std::uint32_t node) const;
  // Joins and leaves (also as the faults JoinNode and LeaveNode): the view every node agrees on
  // once changes settle, the decisions so far, and whether any change or hand-over is under way.
  const cluster::View& latest_view() const { return latest_view_; }
  const std::vector<ViewChangeRecord>& view_changes() const { return view_changes_; }
  bool reconfig_settled() const;
  // HANDOVER_MESSAGEs that reached a node (moved inbox messages, resends included).
  std::uint64_t handover_messages() const { return handover_frames_; }
  const cluster::Reconfig* reconfig(std::uint32_t node) const;
  SimStore& disk(std::uint32_t node);  // the node's disk (tests inject what faults cannot)

 private:
  struct Node;
  struct Client;
  class EngineScope;
  class Env;
  class ShardStore;
  static constexpr std::uint64_t kRetransmitTimeoutUs = 200'000;  // Linux's minimum RTO
  struct Link {
    bool up = false;
    bool broken = false;  // a frame was dropped: TCP stalls, nothing more gets through
    std::uint64_t gen = 0;
    std::uint64_t last_arrival[2] = {0, 0};  // per direction (low->high, high->low)
    std::uint32_t losses[2] = {0, 0};  // DegradeLink: losses in a row (the retransmit backs off)
  };

  std::uint64_t latency(std::uint32_t from, std::uint32_t to);
  Link& link(std::uint32_t a, std::uint32_t b);
  bool blocked(std::uint32_t from, std::uint32_t to) const;

  void start_node(std::uint32_t i);
  std::uint32_t add_node();  // a new node that joins through a member (JoinNode)
  // Joins run one at a time: a node's place in the member list is its index in nodes_, so the
  // next joiner starts once the one before it is in the view.
  void start_pending_join();
  void leave_node(std::uint32_t i);
  void try_join(std::uint32_t i);
  void view_event(std::uint32_t i, core::ViewEvent event);
  void note_view(const cluster::View& v);
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
  void end_client_session(Client& c);
  void drain_node(std::uint32_t i, std::uint64_t down_us);
  void node_rx(std::uint32_t node, core::ConnId conn, protocol::Bytes bytes);
  void pump_conn(std::uint32_t node, core::ConnId conn);
  void node_send(std::uint32_t node, core::ConnId conn, std::span<const std::uint8_t> bytes);
  void node_close(std::uint32_t node, core::ConnId conn);

  SimConfig config_;
  World world_;
  Checker checker_;
  cluster::View latest_view_;  // the highest epoch any node committed (self: meaningless)
  std::vector<ViewChangeRecord> view_changes_;
  std::uint64_t handover_frames_ = 0;
  std::uint32_t pending_joins_ = 0;
  std::vector<client::ClientEvent> events_scratch_;  // client_events(): its buffer, kept
  std::size_t link_stride_ = 0;  // links_ is link_stride_ x link_stride_
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Link> links_;                                // nodes x nodes, used for a < b
  std::set<std::pair<std::uint32_t, std::uint32_t>> cut_;  // blocked directions
  std::vector<std::unique_ptr<Client>> clients_;
  std::unordered_map<std::string, std::size_t> client_of_;
  std::vector<FaultRecord> fault_log_;
  double link_loss_ = 0;  // LossyLinks
  struct Degraded {
    std::uint64_t extra_us = 0;
    double loss = 0;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, Degraded> degraded_;  // DegradeLink, per direction
  std::uint64_t engine_ns_ = 0;  // measure_engine_time
  int engine_depth_ = 0;
};

}  // namespace iris::sim
