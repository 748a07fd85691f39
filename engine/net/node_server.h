#pragma once
// NodeServer: the real driver of one node. Runs one Worker (thread + io_context + Shard) per
// router shard, the TCP / TLS / WebSocket listeners (on worker 0), and spreads accepted
// connections over the workers. The store must outlive the server.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/status.h"
#include "engine/core/token_bucket.h"
#include "engine/net/options.h"
#include "engine/store/store.h"

namespace iris::net {

class Worker;
class PeerLinks;

// Merged view of all shards' metrics (plain numbers).
struct NodeStats {
  std::uint64_t connections = 0, sessions = 0, logins = 0, login_failures = 0, bad_frames = 0;
  std::uint64_t sends = 0, accepted = 0, delivered = 0, acked = 0, persisted = 0;
  std::uint64_t rejected_retry_later = 0, rejected_store = 0, rejected_rate = 0;
  std::uint64_t slow_consumer_disconnects = 0, memory_bytes = 0, inbox_messages = 0;
  std::uint64_t hot_users = 0, hot_promotions = 0, bucketed_messages = 0;
};

class NodeServer {
 public:
  NodeServer(ServerOptions options, store::Store& store, std::uint64_t incarnation);
  ~NodeServer();
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  // Binds the listeners and starts the workers. An error Status names the listener that failed.
  Status start();
  // Graceful drain: stop accepting, BYE every client, persist what is pending, flush the store,
  // close connections, join the threads. Idempotent.
  void stop();

  std::uint16_t tcp_port() const { return tcp_port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  std::uint16_t ws_port() const { return ws_port_; }
  NodeStats stats() const;
  const ServerOptions& options() const { return options_; }
  std::uint32_t shard_count() const { return static_cast<std::uint32_t>(workers_.size()); }

  Worker& worker(std::uint32_t shard) { return *workers_[shard]; }
  const Worker& worker(std::uint32_t shard) const { return *workers_[shard]; }
  void connection_gone() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  // Admin faults (any thread; applied on the workers' threads).
  void set_cpu_burn(double percent);                 // 0: none
  void set_shard_memory_limit(std::uint64_t bytes);  // 0: the configured limit
  // Pauses or resumes writes to `user`'s connection (as if its client stopped reading). False
  // when the user has no session on this node (waits up to a second for the workers).
  bool set_user_writes_paused(const std::string& user, bool paused);
  // Shard `shard` down (true) or restarted fresh (false); Worker::kill_shard, restart_shard.
  void set_shard_down(std::uint32_t shard, bool down);

  // The cluster links; nullptr for a single node.
  PeerLinks* peer_links() { return links_.get(); }
  std::uint16_t peer_port() const;

 private:
  enum class Kind { kTcp, kTls, kWs };
  struct Listener;
  Status listen(Kind kind, const std::string& address, std::uint16_t& port_out);
  void accept(Listener& l);
  void on_accepted(Kind kind, Worker& w, boost::asio::ip::tcp::socket socket);
  bool admit(const boost::asio::ip::tcp::socket& socket);
  void run_on_all(const std::function<void(Worker&)>& fn);

  ServerOptions options_;
  store::Store& store_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<PeerLinks> links_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::unordered_map<std::string, core::TokenBucket> accept_rate_;  // worker 0's thread only
  std::atomic<std::uint32_t> open_connections_{0};
  std::uint32_t next_worker_ = 0;
  std::uint16_t tcp_port_ = 0, tls_port_ = 0, ws_port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

// Parses "host:port" (host may be [v6]). Error Status on anything else.
Result<boost::asio::ip::tcp::endpoint> parse_endpoint(const std::string& address);

}  // namespace iris::net
