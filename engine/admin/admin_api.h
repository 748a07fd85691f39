#pragma once
// AdminApi: the admin API of a node as a pure request handler — a request in, a response out, no
// sockets (AdminServer carries it over HTTP; tests call it directly). It authenticates the bearer
// token, checks the caller's role and the chaos switch, parses and validates JSON, keeps the
// faults in force with their time to live and undoes each one when it expires, and logs who
// asked for what. What the node shows and does lies behind AdminBackend.
//
//   GET    /v1/node      this node: id, version, uptime, counters        viewer
//   GET    /v1/cluster   members and links as this node sees them        viewer
//   GET    /v1/metrics   counters, gauges and latency quantiles (JSON)   viewer
//   GET    /v1/faults    faults in force                                 viewer
//   GET    /v1/snapshot  node, cluster, metrics and faults in one          viewer
//   GET    /metrics      the same metrics, Prometheus text format        viewer
//   POST   /v1/faults    start a fault (JSON body, ttl_s required)       operator + --enable-chaos
//   DELETE /v1/faults    recover all                                     operator + --enable-chaos
//   DELETE /v1/faults/N  end fault N                                     operator + --enable-chaos
//   GET    /v1/stream    WebSocket of snapshots at ?hz=1..10 (AdminServer) viewer
//
// docs/operations.md has the fault bodies and the error answers.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/admin/admin_tokens.h"
#include "engine/admin/prometheus.h"
#include "engine/common/status.h"

namespace iris::admin {

// A fault on a real node. Every field not used by its kind stays at its default.
struct NodeFault {
  enum class Kind {
    kPeerDrop,        // frames to and/or from `peer` are dropped (a partition, seen from here)
    kPeerDelay,       // frames to and/or from `peer` wait delay_ms more
    kSlowDisk,        // every store request completes latency_ms later
    kDiskFull,        // appends fail with DISK_FULL
    kCpuBurn,         // every worker spins `percent` % of its time
    kMemoryPressure,  // each shard may hold only shard_bytes of messages (RETRY_LATER beyond)
    kSlowConsumer,    // the node stops writing to `user`'s connection (its queue fills up)
    kShardDown,       // router shard `shard` is killed; a fresh one starts when the fault ends
  };
  enum class Direction { kBoth, kOut, kIn };
  Kind kind = Kind::kPeerDrop;
  std::string peer;
  Direction direction = Direction::kBoth;
  std::uint64_t delay_ms = 0, latency_ms = 0, shard_bytes = 0, shard = 0;
  double percent = 0;
  std::string user;
  std::uint64_t ttl_s = 0;
};
const char* to_string(NodeFault::Kind kind);
const char* to_string(NodeFault::Direction direction);
// "peer_drop n2 both", for logs and the faults table.
std::string describe(const NodeFault& fault);
// Parses a POST /v1/faults body. The error says what is wrong, for a 400.
Result<NodeFault> parse_fault(std::string_view json);
boost::json::object to_json(const NodeFault& fault);

// What the admin API shows of a node and does to it. Called on the admin thread; an
// implementation makes it safe against the node's other threads.
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  virtual boost::json::object node() = 0;
  virtual boost::json::object cluster() = 0;
  virtual boost::json::object metrics() = 0;
  virtual void prometheus(PrometheusText& out) = 0;
  // Starts a fault; an error (unknown peer or user, a kind this node cannot do) for a 400/409.
  virtual Status start_fault(const NodeFault& fault) = 0;
  // Ends a fault started before (its TTL passed, or recovered).
  virtual void end_fault(const NodeFault& fault) = 0;
  // An operator asks member `node` to leave the cluster (docs/cluster.md): the proposal's epoch;
  // kNotFound for an unknown member, kInvalidArgument for a request that cannot be (the last
  // active member), kUnavailable for one that cannot be now (another change under way, a member
  // down).
  virtual Result<std::uint64_t> leave(const std::string& node) {
    (void)node;
    return Status::invalid("this node is not in a cluster");
  }
};

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/v1/node?x=y"
  std::string authorization;
  std::string body;
  std::string client;  // the peer's address, for the log
};
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool www_authenticate = false;  // 401: "WWW-Authenticate: Bearer"
};

struct AdminOptions {
  bool enable_chaos = false;
  std::size_t max_body_bytes = 64 * 1024;
  std::uint64_t max_ttl_s = 3600;
  std::size_t max_faults = 64;
};

class AdminApi {
 public:
  AdminApi(AdminBackend& backend, AdminTokens tokens, AdminOptions options);
  ~AdminApi();  // ends every fault still in force

  // Any thread (serialized inside). now_ms: a steady clock, for fault TTLs.
  HttpResponse handle(const HttpRequest& request, std::uint64_t now_ms);
  // Ends the faults whose TTL has passed. Returns how many.
  std::size_t expire(std::uint64_t now_ms);
  // The caller of a request, or empty (401).
  std::optional<Caller> authorize(const HttpRequest& request) const;
  // One JSON document with node, cluster, metrics and faults (the stream's and /v1/snapshot's).
  std::string snapshot_json(std::uint64_t now_ms);
  // The next fault expiry, or 0 when none is in force.
  std::uint64_t next_expiry_ms() const;
  const AdminOptions& options() const { return options_; }

 private:
  struct Active {
    NodeFault fault;
    std::string by;
    std::uint64_t started_ms = 0, expires_ms = 0;
  };
  HttpResponse route(const HttpRequest& request, const Caller& caller, std::uint64_t now_ms);
  HttpResponse post_fault(const HttpRequest& request, const Caller& caller, std::uint64_t now_ms);
  HttpResponse post_leave(const HttpRequest& request, const Caller& caller);
  HttpResponse delete_faults(const std::string& which, const Caller& caller);
  boost::json::array faults_json(std::uint64_t now_ms) const;
  boost::json::object snapshot_locked(std::uint64_t now_ms);
  std::size_t expire_locked(std::uint64_t now_ms);
  void end(std::map<std::uint64_t, Active>::iterator it, const std::string& why);

  AdminBackend& backend_;
  const AdminTokens tokens_;
  const AdminOptions options_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, Active> active_;  // by id
  std::uint64_t next_id_ = 1;
};

}  // namespace iris::admin
