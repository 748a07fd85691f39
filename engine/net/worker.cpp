#include "engine/net/worker.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "engine/net/connection.h"
#include "engine/net/node_server.h"

namespace iris::net {

namespace asio = boost::asio;

Worker::Worker(NodeServer& server, core::ShardId id, const ServerOptions& options,
               std::uint64_t incarnation, store::Store& store)
    : server_(server),
      id_(id),
      options_(options),
      tick_timer_(io_),
      // Store completions come back to this worker's thread, as ShardEnv promises the shard.
      store_adapter_(std::make_unique<store::PostingStore>(store,
                                                           [this](std::function<void()> done) {
                                                             asio::post(io_, [this, done] {
                                                               done();
                                                               end_turn();
                                                             });
                                                           })),
      mailbox_(options.mailbox_route_capacity),
      outbox_(options.core.shards),
      outbox_routes_(options.core.shards, 0),
      rng_(std::random_device{}() ^ (std::uint64_t{id} << 32)) {
  shard_ = std::make_unique<core::Shard>(id, options.core, incarnation, *this);
}

Worker::~Worker() { join(); }

store::Store& Worker::store() { return *store_adapter_; }

void Worker::start_thread() {
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    on_tick();
    io_.run();
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

std::uint64_t Worker::now_us() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

void Worker::on_tick() {
  shard_->on_tick();
  end_turn();
  tick_timer_.expires_after(std::chrono::microseconds(options_.tick_us));
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

core::ConnId Worker::register_connection(std::shared_ptr<Connection> conn) {
  core::ConnId id = (core::ConnId{id_} << 56) | ++next_conn_;
  conns_.emplace(id, conn);
  conn->start(id);
  return id;
}

void Worker::connection_closed(core::ConnId conn, core::ShardId home) {
  conns_.erase(conn);
  server_.connection_gone();
  shard_->on_closed(conn);
  if (home != id_) forward(home, Forwarded{Forwarded::Kind::kClosed, conn, {}, {}});
}

void Worker::close_all_connections() {
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [id, c] : conns_) all.push_back(c);
  for (auto& c : all) c->close_after_flush();
  end_turn();
}

Connection* Worker::local(core::ConnId conn) {
  auto it = conns_.find(conn);
  return it == conns_.end() ? nullptr : it->second.get();
}

void Worker::send(core::ConnId conn, std::span<const std::uint8_t> bytes) {
  core::ShardId owner = owner_of(conn);
  if (owner == id_) {
    if (Connection* c = local(conn)) c->queue(bytes);
  } else {
    forward(owner, Forwarded{Forwarded::Kind::kSend, conn, {bytes.begin(), bytes.end()}, {}});
  }
}

void Worker::close(core::ConnId conn) {
  core::ShardId owner = owner_of(conn);
  if (owner == id_) {
    if (Connection* c = local(conn)) c->close_after_flush();
  } else {
    forward(owner, Forwarded{Forwarded::Kind::kClose, conn, {}, {}});
  }
}

void Worker::set_home(core::ConnId conn, core::ShardId home) {
  if (Connection* c = local(conn)) c->set_home(home);
}

bool Worker::post(core::ShardId target, core::ShardMessage message) {
  bool is_route = std::holds_alternative<core::RouteMessage>(message);
  if (is_route && !server_.worker(target).mailbox().has_room(outbox_routes_[target] + 1)) {
    return false;
  }
  forward(target, std::move(message), is_route);
  return true;
}

void Worker::forward(core::ShardId target, MailItem item, bool is_route) {
  outbox_[target].push_back(std::move(item));
  if (is_route) ++outbox_routes_[target];
}

void Worker::end_turn() {
  if (in_turn_end_) return;
  in_turn_end_ = true;
  shard_->end_turn();
  for (auto& c : dirty_) c->flush();
  dirty_.clear();
  for (core::ShardId t = 0; t < outbox_.size(); ++t) {
    if (outbox_[t].empty()) continue;
    Worker& target = server_.worker(t);
    if (target.mailbox().push(outbox_[t], outbox_routes_[t])) {
      asio::post(target.io(), [&target] { target.drain_mailbox(); });
    }
    outbox_routes_[t] = 0;
  }
  in_turn_end_ = false;
}

void Worker::drain_mailbox() {
  mailbox_.drain(drained_);
  for (auto& item : drained_) {
    if (auto* m = std::get_if<core::ShardMessage>(&item)) {
      shard_->on_message(std::move(*m));
    } else {
      handle_forwarded(std::get<Forwarded>(item));
    }
  }
  drained_.clear();
  end_turn();
}

void Worker::handle_forwarded(Forwarded& f) {
  switch (f.kind) {
    case Forwarded::Kind::kFrame: {
      auto r = protocol::split_frame(f.bytes);
      if (r.status == protocol::SplitStatus::kFrame) shard_->on_frame(f.conn, r.frame);
      break;
    }
    case Forwarded::Kind::kSend:
      if (Connection* c = local(f.conn)) c->queue(f.bytes);
      break;
    case Forwarded::Kind::kClose:
      if (Connection* c = local(f.conn)) c->close_after_flush();
      break;
    case Forwarded::Kind::kClosed:
      shard_->on_closed(f.conn);
      break;
    case Forwarded::Kind::kStreamError:
      shard_->on_stream_error(f.conn, f.code);
      break;
  }
}

}  // namespace iris::net
