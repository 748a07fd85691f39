#pragma once
// Options of the real (Boost.Asio) driver. Every bound has a name and a default.

#include <cstdint>
#include <string>

#include "engine/cluster/membership.h"
#include "engine/cluster/view.h"
#include "engine/core/config.h"

namespace iris::net {

// A node in a cluster (docs/cluster.md). A view with fewer than two members: a single node.
struct ClusterOptions {
  std::string name = "iris";  // peers of another cluster are refused at PEER_HELLO
  cluster::View view;         // every member, sorted by id; view.self is this node
  std::string peer_listen;    // "host:port" of this node's peer listener
  cluster::MembershipConfig membership;
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
