#pragma once
// Options of the real (Boost.Asio) driver. Every bound has a name and a default.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/cluster/membership.h"
#include "engine/cluster/reconfig.h"
#include "engine/cluster/view.h"
#include "engine/core/config.h"

namespace iris::net {

// A node in a cluster (docs/cluster.md). A view with no member: a single node, no peer links.
struct ClusterOptions {
  std::string name = "iris";  // peers of another cluster are refused at PEER_HELLO
  // The view the node starts with: every member (view.self is this node), from --seeds or from
  // the record on disk; for a node started with --join, this node alone, kJoining, epoch 0.
  cluster::View view;
  std::optional<cluster::ViewRecord> record;  // the record on disk, when there is one
  std::string view_file;  // where the record is kept (DATA_DIR/cluster-view.json); "": nowhere
  std::string join;       // --join: the peer address of a member to ask for a place
  std::string peer_listen;  // "host:port" of this node's peer listener
  // TLS on peer links (all three, or none): this node's certificate chain and key, and the
  // cluster's CA. Both ends of a link must show a certificate of that CA whose name (CN or a DNS
  // subject alternative name) is the node id they claim in PEER_HELLO.
  std::string peer_tls_cert, peer_tls_key, peer_tls_ca;
  bool peer_tls() const {
    return !peer_tls_cert.empty() || !peer_tls_key.empty() || !peer_tls_ca.empty();
  }
  cluster::MembershipConfig membership;
  cluster::ReconfigConfig reconfig;
  // Called (on the links thread) once this node has left the cluster: its owner stops it.
  std::function<void()> on_left;
  bool enabled() const { return !view.members.empty(); }
  // Frames from peers waiting for room in one worker's ring. Beyond it the links thread stops
  // reading from peers (TCP pushes back on them) until half of it has drained.
  std::size_t max_pending_per_shard = 65'536;
};

struct ServerOptions {
  core::CoreConfig core;
  ClusterOptions cluster;
  std::string listen = "127.0.0.1:7400";  // TCP "host:port"; empty: off. Port 0 picks one.
  std::string tls_listen;                  // TLS "host:port"; needs tls_cert and tls_key
  std::string tls_cert;
  std::string tls_key;
  std::string ws_listen;                   // WebSocket "host:port" (binary messages carry frames)

  std::uint64_t tick_us = 2'000;                    // shard timer period
  std::size_t max_outbound_bytes = 8u << 20;        // per connection; over it: disconnect
  std::uint64_t close_linger_us = 2'000'000;        // a closing connection's last write may take
                                                    // this long; then it is cut (peer not reading)
  std::uint32_t mailbox_route_capacity = 65'536;    // queued cross-shard routes per shard
  std::uint32_t max_connections = 19'000;           // open-file cap here is 20,000 per process
  double new_connections_per_s_per_ip = 5'000;      // accept rate per source address
};

}  // namespace iris::net
