#pragma once
// Worker: one thread, one io_context, one router Shard. Implements the ShardEnv the shard sees:
// real clock, sockets of the connections living on this worker, mailboxes of the other workers,
// and the store with completions brought back to this thread. Every handler that runs shard code
// ends its turn with end_turn(): the shard's batched work, cross-worker batches, socket writes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/core/shard.h"
#include "engine/core/shard_env.h"
#include "engine/net/mailbox.h"
#include "engine/net/options.h"
#include "engine/store/posting_store.h"

namespace iris::net {

class Connection;
class NodeServer;

class Worker final : public core::ShardEnv {
 public:
  Worker(NodeServer& server, core::ShardId id, const ServerOptions& options,
         std::uint64_t incarnation, store::Store& store);
  ~Worker() override;

  boost::asio::io_context& io() { return io_; }
  core::ShardId id() const { return id_; }
  // Any thread (metrics); the shard itself runs on this worker's thread only.
  core::Shard& shard() { return *live_.load(std::memory_order_acquire); }
  Mailbox& mailbox() { return mailbox_; }
  const ServerOptions& options() const { return options_; }
  std::array<std::uint8_t, 64 * 1024>& read_buffer() { return read_buffer_; }

  void start_thread();
  void join();

  // Called on this worker's thread.
  core::ConnId register_connection(std::shared_ptr<Connection> conn);
  void connection_closed(core::ConnId conn, core::ShardId home);
  void mark_dirty(std::shared_ptr<Connection> conn) { dirty_.push_back(std::move(conn)); }
  void end_turn();
  void forward(core::ShardId target, MailItem item, bool is_route = false);
  // Frames read for, or bytes written to, a connection whose other side lives on `target`.
  void forward_bytes(core::ShardId target, Forwarded::Kind kind, core::ConnId conn,
                     std::span<const std::uint8_t> bytes);
  std::size_t connection_count() const { return conns_.size(); }
  void close_all_connections();

  // ShardEnv
  std::uint64_t now_us() override;  // this worker's thread only: the time of the current turn
  static std::uint64_t wall_us();   // any thread: the clock now
  std::uint64_t random_u64() override { return rng_(); }
  void send(core::ConnId conn, std::span<const std::uint8_t> bytes) override;
  void close(core::ConnId conn) override;
  void set_home(core::ConnId conn, core::ShardId home) override;
  bool post(core::ShardId target, core::ShardMessage message) override;
  store::Store& store() override;
  const cluster::View* view() override;
  bool post_node(cluster::NodeIndex node, core::ShardMessage message) override;
  void report(const core::ShardReport& report) override;

  // Any thread: drain the mailbox soon (after pushing into one of its rings).
  void wake();

  // Admin faults. Any thread: spin this share of the time (0-95 %) in every tick.
  void set_cpu_burn(double percent) { burn_percent_.store(percent, std::memory_order_relaxed); }
  // This worker's thread: pause or resume writes to a connection living here; false if none.
  bool set_writes_paused(core::ConnId conn, bool paused);
  // The admin fault shard_down, in two steps, any thread. kill_shard(): the shard goes down
  // without stopping the node — BYE to its sessions, new connections on this worker, logins of
  // its users and messages for them refused (RETRY_LATER) — while what it had accepted is still
  // written. restart_shard(): once those writes and its forwards are settled (at most 5 s), a
  // fresh shard takes its place, as after a process restart: in-memory state (presence
  // subscriptions, retry dedup windows) is gone, durable state loads again on demand. `done`
  // runs on this worker's thread when the new shard is in place.
  void kill_shard();
  void restart_shard(std::function<void()> done = {});

 private:
  void drain_mailbox();
  void push_outboxes();
  void handle_forwarded(Forwarded& f);
  void on_tick();
  Connection* local(core::ConnId conn);

  NodeServer& server_;
  const core::ShardId id_;
  const ServerOptions& options_;
  boost::asio::io_context io_{1};
  boost::asio::steady_timer tick_timer_;
  std::unique_ptr<store::PostingStore> store_adapter_;
  std::unique_ptr<core::Shard> shard_;
  std::atomic<core::Shard*> live_{nullptr};              // shard_, for other threads' metrics
  std::vector<std::unique_ptr<core::Shard>> retired_;    // restarted shards: late completions and
                                                         // metric readers may still touch them
  std::uint64_t incarnation_ = 0;
  bool restarting_ = false;
  bool down_ = false;
  void finish_restart(std::uint64_t deadline_us, std::function<void()> done);
  Mailbox mailbox_;
  std::vector<std::deque<MailItem>> outbox_;   // staged per target worker; what a full ring
  std::vector<std::size_t> outbox_routes_;     // refused waits here for a later turn
  std::unordered_map<core::ConnId, std::shared_ptr<Connection>> conns_;
  std::vector<std::shared_ptr<Connection>> dirty_;
  std::uint64_t next_conn_ = 0;
  std::mt19937_64 rng_;
  std::array<std::uint8_t, 64 * 1024> read_buffer_{};
  std::thread thread_;
  bool in_turn_end_ = false;
  std::uint64_t turn_now_us_ = 0;  // now_us() of this turn; 0: not read yet
  std::atomic<double> burn_percent_{0};
  std::vector<protocol::Bytes> peer_out_;  // encoded frames per member, handed over at turn end
};

// Which worker a connection id lives on (its socket's thread).
inline core::ShardId owner_of(core::ConnId conn) { return static_cast<core::ShardId>(conn >> 56); }

}  // namespace iris::net
