#pragma once
// ClusterSnapshot: what the console and the reports see of a running cluster, simulated or real.
// A plain value, copied out of the cluster and never changed after: the console's views, the
// report's samplers and a remote node's admin stream all read the same shape.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/cluster/membership.h"

namespace iris::sim {

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
  // Sends refused: store unavailable; RETRY_LATER for memory or a busy queue; over the session's
  // rate limit; held back behind an earlier refused message of the same sender (order).
  std::uint64_t refused_store = 0, refused_retry_later = 0, refused_rate = 0, refused_order = 0;
  std::uint64_t hot_promotions = 0, bucketed_messages = 0, routes_fenced = 0;
  std::uint64_t store_rows = 0, store_bytes = 0;
  std::vector<cluster::PeerInfo> peers;
  std::vector<ShardSnapshot> shards;  // empty while the node is down
  // Faults on this node now (0 / false: none).
  std::uint64_t clog_us = 0, cpu_burn_us = 0, memory_limit = 0;
  bool disk_slow = false, disk_stalled = false, disk_full = false, disk_errors = false;
  // Membership (joins and leaves): this node's place in its own view ("active", "joining",
  // "leaving", "left"), that view's epoch, and what a view change is doing here ("stable", ...).
  std::string member_state = "active";
  std::uint64_t epoch = 1;
  std::string reconfig = "stable";
  std::uint64_t handover_sent = 0, handover_received = 0;
};
// A direction cut by a partition: nothing from `from` reaches `to`.
struct Cut {
  std::uint32_t from = 0, to = 0;
};
// A direction made slow or lossy by DegradeLink.
struct DegradedLink {
  std::uint32_t from = 0, to = 0;
  std::uint64_t extra_us = 0;
  double loss = 0;
};
struct ClusterSnapshot {
  std::uint64_t now_us = 0;
  std::uint64_t seed = 0;
  std::vector<NodeSnapshot> nodes;
  std::vector<std::string> active_faults;
  std::vector<Cut> cuts;
  std::vector<DegradedLink> degraded;
  std::vector<std::string> slow_consumers;
  double link_loss = 0;
  std::uint64_t sent = 0, acked = 0, delivered = 0, violations = 0;
  std::uint64_t events = 0;  // simulator events run so far (0 on real nodes)
};

}  // namespace iris::sim
