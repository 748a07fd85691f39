#include "engine/net/worker.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <utility>

#include "engine/net/connection.h"
#include "engine/peer/peer_message.h"
#include "engine/net/node_server.h"
#include "engine/net/peer_links.h"

namespace iris::net {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kDrainBatch = 4096;  // items per source ring per drain, for fairness

// Per (source, target) ring: the route capacity shared among the sources, a power of two,
// 1,024..16,384 slots (a slot is a MailItem, ~150 bytes).
std::size_t ring_capacity(const ServerOptions& o) {
  std::size_t want = o.mailbox_route_capacity / std::max<std::uint32_t>(1, o.core.shards);
  std::size_t cap = 1024;
  while (cap < want && cap < 16384) cap <<= 1;
  return cap;
}
}  // namespace

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
      // One ring per worker, plus one for the peer-links thread in a cluster.
      mailbox_(options.core.shards + (options.cluster.enabled() ? 1 : 0),
               ring_capacity(options)),
      outbox_(options.core.shards),
      outbox_routes_(options.core.shards, 0),
      rng_(std::random_device{}() ^ (std::uint64_t{id} << 32)),
      peer_out_(options.cluster.view.size()) {  // grows with the view (post_node)
  shard_ = std::make_unique<core::Shard>(id, options.core, incarnation, *this);
  live_.store(shard_.get(), std::memory_order_release);
  incarnation_ = incarnation;
}

void Worker::kill_shard() {
  asio::post(io_, [this] {
    if (down_ || restarting_) return;
    down_ = true;
    spdlog::warn("shard {}: down (admin fault)", id_);
    shard_->begin_drain();
    shard_->finish_drain();
    end_turn();
  });
}

void Worker::restart_shard(std::function<void()> done) {
  asio::post(io_, [this, done = std::move(done)]() mutable {
    if (restarting_) return;
    restarting_ = true;
    if (!down_) {
      shard_->begin_drain();
      shard_->finish_drain();
      end_turn();
    }
    finish_restart(wall_us() + 5'000'000, std::move(done));
  });
}

void Worker::finish_restart(std::uint64_t deadline_us, std::function<void()> done) {
  const bool settled = shard_->pending_persist() == 0 && shard_->forwards_in_flight() == 0;
  if (!settled && wall_us() < deadline_us) {
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(10));
    timer->async_wait([this, timer, deadline_us, done = std::move(done)](boost::system::error_code) mutable {
      finish_restart(deadline_us, std::move(done));
    });
    return;
  }
  shard_->finish_drain();  // what connected meanwhile
  end_turn();
  auto fresh = std::make_unique<core::Shard>(id_, options_.core, incarnation_, *this);
  fresh->continue_after(*shard_);
  retired_.push_back(std::move(shard_));
  shard_ = std::move(fresh);
  live_.store(shard_.get(), std::memory_order_release);
  // The peers' states as they are now (later changes arrive through the mailbox, in order).
  if (PeerLinks* links = server_.peer_links()) {
    for (const auto& p : links->peers()) shard_->on_message(core::PeerStatus{p.node, p.up});
  }
  end_turn();
  restarting_ = false;
  down_ = false;
  spdlog::warn("shard {}: restarted{}", id_, settled ? "" : " (not settled within 5 s)");
  if (done) done();
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

std::uint64_t Worker::wall_us() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

// The shard reads the time several times per message (rate limits, latencies, due times); one
// clock read per turn serves them all (the clock was 4% of the node's CPU under load). A turn is
// one handler's work and ends in end_turn(), which forgets the reading; the tick ends a turn too.
std::uint64_t Worker::now_us() {
  if (turn_now_us_ == 0) turn_now_us_ = wall_us();
  return turn_now_us_;
}

void Worker::on_tick() {
  shard_->on_tick();
  end_turn();
  if (const double burn = burn_percent_.load(std::memory_order_relaxed); burn > 0) {
    // Busy for burn % of the time: spin tick * burn / (100 - burn) after each tick's work.
    const auto spin = std::chrono::microseconds(static_cast<std::int64_t>(
        static_cast<double>(options_.tick_us) * burn / (100.0 - std::min(burn, 95.0))));
    const auto until = std::chrono::steady_clock::now() + spin;
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  tick_timer_.expires_after(std::chrono::microseconds(options_.tick_us));
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

bool Worker::set_writes_paused(core::ConnId conn, bool paused) {
  Connection* c = local(conn);
  if (c == nullptr) return false;
  c->set_writes_paused(paused);
  return true;
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
    forward_bytes(owner, Forwarded::Kind::kSends, conn, bytes);
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
  if (is_route && !server_.worker(target).mailbox().route_room(id_, outbox_routes_[target])) {
    return false;
  }
  forward(target, std::move(message), is_route);
  return true;
}

const cluster::View* Worker::view() {
  return server_.peer_links() ? &options_.cluster.view : nullptr;
}

void Worker::report(const core::ShardReport& r) {
  if (PeerLinks* links = server_.peer_links()) links->report(r);
}

bool Worker::post_node(cluster::NodeIndex node, core::ShardMessage message) {
  PeerLinks* links = server_.peer_links();
  if (links == nullptr || !links->connected(node)) return false;
  auto frame = peer::to_peer_frame(std::move(message));
  if (!frame) return false;
  if (node >= peer_out_.size()) peer_out_.resize(node + 1);  // a member that joined
  peer::encode_peer(peer_out_[node], *frame);  // handed to the links thread at turn end
  return true;
}

void Worker::wake() {
  if (mailbox_.schedule()) asio::post(io_, [this] { drain_mailbox(); });
}

void Worker::forward(core::ShardId target, MailItem item, bool is_route) {
  outbox_[target].push_back(std::move(item));
  if (is_route) ++outbox_routes_[target];
}

// Appends to the batch at the back of the target's staged items when it is one of this kind (the
// order of everything staged for the target is kept), else starts a batch.
void Worker::forward_bytes(core::ShardId target, Forwarded::Kind kind, core::ConnId conn,
                           std::span<const std::uint8_t> bytes) {
  auto& staged = outbox_[target];
  Forwarded* batch = staged.empty() ? nullptr : std::get_if<Forwarded>(&staged.back());
  if (batch == nullptr || batch->kind != kind || batch->bytes.size() >= Forwarded::kMaxBatchBytes) {
    staged.push_back(Forwarded{kind, 0, {}, {}});
    batch = &std::get<Forwarded>(staged.back());
  }
  batch->append(conn, bytes);
}

void Worker::end_turn() {
  if (in_turn_end_) return;
  in_turn_end_ = true;
  shard_->end_turn();
  for (auto& c : dirty_) c->flush();
  dirty_.clear();
  push_outboxes();
  if (PeerLinks* links = server_.peer_links()) {
    for (cluster::NodeIndex n = 0; n < peer_out_.size(); ++n) {
      if (!peer_out_[n].empty()) links->submit(n, std::exchange(peer_out_[n], {}));
    }
  }
  in_turn_end_ = false;
  turn_now_us_ = 0;
}

// Moves staged items into each target's ring for this worker, in order; what does not fit stays
// staged for a later turn (the tick runs one every tick_us). Wakes idle targets.
void Worker::push_outboxes() {
  for (core::ShardId t = 0; t < outbox_.size(); ++t) {
    auto& staged = outbox_[t];
    if (staged.empty()) continue;
    Worker& target = server_.worker(t);
    auto& ring = target.mailbox().from(id_);
    bool pushed = false;
    while (!staged.empty()) {
      bool route = is_route(staged.front());
      if (!ring.try_push(staged.front())) break;
      staged.pop_front();
      if (route) --outbox_routes_[t];
      pushed = true;
    }
    if (pushed && target.mailbox().schedule()) {
      asio::post(target.io(), [&target] { target.drain_mailbox(); });
    }
  }
}

void Worker::drain_mailbox() {
  mailbox_.unschedule();
  bool more = false;
  MailItem item;
  for (core::ShardId src = 0; src < mailbox_.sources(); ++src) {
    auto& ring = mailbox_.from(src);
    std::size_t n = 0;
    for (; n < kDrainBatch && ring.try_pop(item); ++n) {
      if (auto* m = std::get_if<core::ShardMessage>(&item)) {
        shard_->on_message(std::move(*m));
      } else {
        handle_forwarded(std::get<Forwarded>(item));
      }
    }
    more |= n == kDrainBatch;
  }
  if (more && mailbox_.schedule()) asio::post(io_, [this] { drain_mailbox(); });
  end_turn();
}

void Worker::handle_forwarded(Forwarded& f) {
  switch (f.kind) {
    case Forwarded::Kind::kFrames:
      f.for_each_record([this](core::ConnId conn, std::span<const std::uint8_t> bytes) {
        auto r = protocol::split_frame(bytes);
        if (r.status == protocol::SplitStatus::kFrame) shard_->on_frame(conn, r.frame);
      });
      break;
    case Forwarded::Kind::kSends:
      f.for_each_record([this](core::ConnId conn, std::span<const std::uint8_t> bytes) {
        if (Connection* c = local(conn)) c->queue(bytes);
      });
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
