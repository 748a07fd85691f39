#include "engine/net/peer_links.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <random>

#include "engine/common/logging.h"
#include "engine/core/shard_env.h"
#include "engine/net/node_server.h"
#include "engine/net/worker.h"
#include "engine/peer/peer_message.h"

namespace iris::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using cluster::NodeIndex;

namespace {
constexpr std::uint64_t kTimerUs = 5'000;
constexpr std::size_t kMaxQueuedBytes = 64u << 20;  // per link: a peer that stops reading is cut
}  // namespace

struct PeerLinks::Conn {
  explicit Conn(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  peer::PeerFrameReader reader;
  std::deque<protocol::Bytes> out;
  std::size_t out_bytes = 0;
  bool writing = false;
  NodeIndex expected = cluster::kLocalNode;  // the member we dialed; kLocalNode: accepted
  NodeIndex peer = cluster::kLocalNode;      // set by its PEER_HELLO
  bool identified = false;
  bool closed = false;
  // LinkFault delays: frames waiting for their time, in order (due time, bytes).
  std::deque<std::pair<std::uint64_t, protocol::Bytes>> out_delayed;
  std::deque<std::pair<std::uint64_t, std::pair<std::uint8_t, protocol::Bytes>>> in_delayed;
};

PeerLinks::PeerLinks(NodeServer& server, const ServerOptions& options, std::uint64_t incarnation)
    : server_(server), options_(options), incarnation_(incarnation), acceptor_(io_), timer_(io_) {
  const std::size_t n = view().size();
  links_.resize(n);
  dialing_.resize(n);
  submitted_.resize(n);
  connected_ = std::make_unique<std::atomic<bool>[]>(n);
  for (std::size_t i = 0; i < n; ++i) connected_[i] = false;
  pending_.resize(options_.core.shards);
  faults_.resize(n);
}

void PeerLinks::set_link_fault(NodeIndex peer, LinkFault fault) {
  asio::post(io_, [this, peer, fault] {
    if (peer >= faults_.size()) return;
    faults_[peer] = fault;
    logging::event(spdlog::level::warn, "peer_link_fault",
                   {{"peer", view().members[peer].id},
                    {"drop_out", fault.drop_out ? "yes" : "no"},
                    {"drop_in", fault.drop_in ? "yes" : "no"},
                    {"delay_out_us", std::to_string(fault.delay_out_us)},
                    {"delay_in_us", std::to_string(fault.delay_in_us)}});
  });
}

const PeerLinks::LinkFault& PeerLinks::fault_of(const Conn& c) const {
  static const LinkFault kNone;
  const NodeIndex p = c.identified ? c.peer : c.expected;
  return p < faults_.size() ? faults_[p] : kNone;
}

// Frames a delay held back whose time has come, in order (the links timer, every 5 ms).
void PeerLinks::release_delayed(const std::shared_ptr<Conn>& c, std::uint64_t now) {
  while (!c->closed && !c->out_delayed.empty() && c->out_delayed.front().first <= now) {
    protocol::Bytes bytes = std::move(c->out_delayed.front().second);
    c->out_delayed.pop_front();
    c->out_bytes += bytes.size();
    c->out.push_back(std::move(bytes));
    pump_writes(c);
  }
  while (!c->closed && !c->in_delayed.empty() && c->in_delayed.front().first <= now) {
    auto [type, body] = std::move(c->in_delayed.front().second);
    c->in_delayed.pop_front();
    auto decoded = peer::decode_peer(peer::PeerFrameView{type, body});
    if (!decoded) return fail(c, decoded.status().message());
    handle_frame(c, std::move(*decoded));
  }
}

PeerLinks::~PeerLinks() {
  stop();
}

std::uint64_t PeerLinks::now_us() const {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

Status PeerLinks::start() {
  if (started_) return Status::ok();
  auto ep = parse_endpoint(options_.cluster.peer_listen);
  if (!ep) return Status::invalid("--peer-listen: " + ep.status().message());
  boost::system::error_code ec;
  acceptor_.open(ep->protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::io_error("cannot listen for peers on " + options_.cluster.peer_listen + ": " +
                            ec.message());
  }
  peer_port_ = acceptor_.local_endpoint().port();
  membership_ = std::make_unique<cluster::Membership>(view(), options_.cluster.membership,
                                                      std::random_device{}(), now_us());
  started_ = true;
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    accept();
    on_timer();
    io_.run();
  });
  return Status::ok();
}

void PeerLinks::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;  // the caller's thread only; the links thread never reads it
  asio::post(io_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    timer_.cancel();
    for (auto* list : {&links_, &dialing_}) {
      for (auto& c : *list) {
        if (c) {
          c->closed = true;
          c->socket.close(ec);
        }
      }
    }
    io_.stop();
  });
  if (thread_.joinable()) thread_.join();
}

bool PeerLinks::connected(NodeIndex node) const {
  return node < view().size() && connected_[node].load(std::memory_order_acquire);
}

void PeerLinks::submit(NodeIndex node, protocol::Bytes frames) {
  if (node >= view().size() || frames.empty()) return;
  std::lock_guard lock(mu_);
  auto& buf = submitted_[node];
  if (buf.empty()) {
    buf = std::move(frames);
  } else {
    buf.insert(buf.end(), frames.begin(), frames.end());
  }
  if (!flush_posted_) {
    flush_posted_ = true;
    asio::post(io_, [this] { flush_submitted(); });
  }
}

std::vector<cluster::PeerInfo> PeerLinks::peers() const {
  std::lock_guard lock(mu_);
  return peers_copy_;
}

void PeerLinks::flush_submitted() {
  std::vector<protocol::Bytes> batch(view().size());
  {
    std::lock_guard lock(mu_);
    batch.swap(submitted_);
    submitted_.resize(view().size());
    flush_posted_ = false;
  }
  for (NodeIndex n = 0; n < batch.size(); ++n) {
    if (batch[n].empty()) continue;
    if (links_[n]) write(links_[n], std::move(batch[n]));  // else: down, the shards will know
  }
}

void PeerLinks::on_timer() {
  // No stop check here: stop() cancels the timer on this thread, so a tick never runs after it.
  const std::uint64_t now = now_us();
  for (const auto& c : links_) {
    if (c && (!c->out_delayed.empty() || !c->in_delayed.empty())) release_delayed(c, now);
  }
  membership_->on_tick(now);
  run_actions();
  push_pending();
  timer_.expires_after(std::chrono::microseconds(kTimerUs));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_timer();
  });
}

void PeerLinks::run_actions() {
  for (;;) {
    auto actions = membership_->take_actions();
    if (actions.empty()) break;
    for (auto& a : actions) {
      if (auto* d = std::get_if<cluster::Dial>(&a)) {
        dial(d->peer);
      } else if (auto* c = std::get_if<cluster::CloseLink>(&a)) {
        if (auto& dl = dialing_[c->peer]) {
          dl->closed = true;
          boost::system::error_code ec;
          dl->socket.close(ec);
          dl.reset();
        }
        drop_link(c->peer);
      } else if (auto* hb = std::get_if<cluster::SendHeartbeat>(&a)) {
        if (links_[hb->peer]) {
          protocol::Bytes b;
          peer::encode_peer(b, hb->hb);
          write(links_[hb->peer], std::move(b));
        }
      } else if (auto* ack = std::get_if<cluster::SendHeartbeatAck>(&a)) {
        if (links_[ack->peer]) {
          protocol::Bytes b;
          peer::encode_peer(b, ack->ack);
          write(links_[ack->peer], std::move(b));
        }
      } else if (auto* st = std::get_if<cluster::StatusChanged>(&a)) {
        logging::event(st->up ? spdlog::level::info : spdlog::level::warn,
                       st->up ? "peer_up" : "peer_down", {{"peer", view().members[st->peer].id}});
        to_shards(core::PeerStatus{st->peer, st->up});
      }
    }
  }
  std::lock_guard lock(mu_);
  peers_copy_ = membership_->peers();
}

protocol::Bytes PeerLinks::hello() const {
  peer::PeerHello h;
  h.cluster = options_.cluster.name;
  h.node_id = view().members[view().self].id;
  h.incarnation = incarnation_;
  h.epoch = view().epoch;
  protocol::Bytes b;
  peer::encode_peer(b, h);
  return b;
}

void PeerLinks::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      auto c = std::make_shared<Conn>(io_);
      c->socket = std::move(socket);
      start_conn(c);
    }
    accept();
  });
}

void PeerLinks::dial(NodeIndex peer) {
  auto ep = parse_endpoint(view().members[peer].peer_address);
  if (!ep) {
    spdlog::error("peer {}: bad address: {}", view().members[peer].id, ep.status().message());
    asio::post(io_, [this, peer] {
      membership_->on_link_down(peer, now_us());
      run_actions();
    });
    return;
  }
  auto c = std::make_shared<Conn>(io_);
  c->expected = peer;
  dialing_[peer] = c;
  c->socket.async_connect(*ep, [this, c, peer](boost::system::error_code ec) {
    if (c->closed || dialing_[peer] != c) return;  // abandoned (CloseLink) or superseded
    if (ec) {
      dialing_[peer].reset();
      c->closed = true;
      membership_->on_link_down(peer, now_us());
      run_actions();
      return;
    }
    start_conn(c);
  });
}

void PeerLinks::start_conn(const std::shared_ptr<Conn>& c) {
  boost::system::error_code ec;
  c->socket.set_option(tcp::no_delay(true), ec);
  write(c, hello());
  read(c);
}

void PeerLinks::read(const std::shared_ptr<Conn>& c) {
  auto buf = c->reader.prepare(64 * 1024);
  c->socket.async_read_some(asio::buffer(buf.data(), buf.size()),
                            [this, c](boost::system::error_code ec, std::size_t n) {
                              if (c->closed) return;
                              if (ec) {
                                fail(c, ec == asio::error::eof ? "closed by peer" : ec.message());
                                return;
                              }
                              c->reader.commit(n);
                              peer::PeerFrameView view;
                              for (;;) {
                                auto st = c->reader.next(view);
                                if (st == peer::PeerFrameReader::State::kNeedMore) break;
                                if (st == peer::PeerFrameReader::State::kError) {
                                  fail(c, "unframeable stream");
                                  return;
                                }
                                on_frame(c, view);
                                if (c->closed) return;
                              }
                              run_actions();
                              if (reads_paused_) {
                                paused_.push_back(c);  // resumed by push_pending()
                                return;
                              }
                              read(c);
                            });
}

void PeerLinks::on_frame(const std::shared_ptr<Conn>& c, const peer::PeerFrameView& view_in) {
  if (c->identified) {
    const LinkFault& f = fault_of(*c);
    if (f.drop_in) return;
    if (f.delay_in_us > 0 || !c->in_delayed.empty()) {
      std::uint64_t due = now_us() + f.delay_in_us;
      if (!c->in_delayed.empty()) due = std::max(due, c->in_delayed.back().first);
      c->in_delayed.push_back(
          {due, {view_in.type, protocol::Bytes(view_in.body.begin(), view_in.body.end())}});
      return;
    }
  }
  auto decoded = peer::decode_peer(view_in);
  if (!decoded) {
    fail(c, decoded.status().message());
    return;
  }
  handle_frame(c, std::move(*decoded));
}

void PeerLinks::handle_frame(const std::shared_ptr<Conn>& c, peer::PeerFrame frame) {
  auto* decoded = &frame;
  const std::uint64_t now = now_us();
  if (!c->identified) {
    const auto* h = std::get_if<peer::PeerHello>(decoded);
    if (h == nullptr) return fail(c, "first frame is not PEER_HELLO");
    if (h->version != peer::kPeerProtocolVersion) return fail(c, "peer protocol version");
    if (h->cluster != options_.cluster.name) {
      return fail(c, "cluster '" + h->cluster + "' is not '" + options_.cluster.name + "'");
    }
    NodeIndex p = view().index_of(h->node_id);
    if (p == cluster::kLocalNode || p == view().self) {
      return fail(c, "node '" + h->node_id + "' is not a member");
    }
    if (c->expected != cluster::kLocalNode ? p != c->expected : p > view().self) {
      return fail(c, "unexpected node '" + h->node_id + "' on this link");
    }
    if (faults_[p].drop_in) return;  // its hello is lost too: the link never comes up
    c->identified = true;
    c->peer = p;
    if (dialing_[p] == c) dialing_[p].reset();
    if (links_[p] && links_[p] != c) drop_link(p);  // a new link replaces the old one
    links_[p] = c;
    connected_[p].store(true, std::memory_order_release);
    logging::event(spdlog::level::info, "peer_link",
                   {{"peer", h->node_id}, {"incarnation", std::to_string(h->incarnation)}});
    membership_->on_link_up(p, now);
    return;
  }
  const NodeIndex p = c->peer;
  if (auto* hb = std::get_if<cluster::Heartbeat>(decoded)) {
    membership_->on_heartbeat(p, *hb, now);
  } else if (auto* ack = std::get_if<cluster::HeartbeatAck>(decoded)) {
    membership_->on_heartbeat_ack(p, *ack, now);
  } else {
    membership_->on_frame(p, now);
    if (auto m = peer::to_shard_message(std::move(frame), p)) {
      // The shard first: the message is moved into deliver()'s parameter.
      const auto shard = core::shard_for_peer_message(*m, view(), options_.core.shards);
      deliver(shard, std::move(*m));
    }
  }
}

void PeerLinks::write(const std::shared_ptr<Conn>& c, protocol::Bytes bytes) {
  if (c->closed || bytes.empty()) return;
  const LinkFault& f = fault_of(*c);
  if (f.drop_out) return;
  if (f.delay_out_us > 0 || !c->out_delayed.empty()) {
    std::uint64_t due = now_us() + f.delay_out_us;
    if (!c->out_delayed.empty()) due = std::max(due, c->out_delayed.back().first);
    c->out_delayed.push_back({due, std::move(bytes)});
    return;
  }
  c->out_bytes += bytes.size();
  c->out.push_back(std::move(bytes));
  if (c->out_bytes > kMaxQueuedBytes) return fail(c, "peer not reading (64 MiB queued)");
  pump_writes(c);
}

void PeerLinks::pump_writes(const std::shared_ptr<Conn>& c) {
  if (c->writing || c->out.empty() || c->closed) return;
  c->writing = true;
  asio::async_write(c->socket, asio::buffer(c->out.front()),
                    [this, c](boost::system::error_code ec, std::size_t) {
                      c->writing = false;
                      if (c->closed) return;
                      if (ec) return fail(c, ec.message());
                      c->out_bytes -= c->out.front().size();
                      c->out.pop_front();
                      pump_writes(c);
                    });
}

void PeerLinks::fail(const std::shared_ptr<Conn>& c, const std::string& why) {
  if (c->closed) return;
  c->closed = true;
  boost::system::error_code ec;
  c->socket.close(ec);
  NodeIndex p = c->identified ? c->peer : c->expected;
  if (p == cluster::kLocalNode) return;  // an accepted link that never said who it was
  spdlog::info("peer {} link failed: {}", view().members[p].id, why);
  if (c->identified && links_[p] == c) {
    links_[p].reset();
    connected_[p].store(false, std::memory_order_release);
  } else if (!c->identified && dialing_[p] == c) {
    dialing_[p].reset();
  } else {
    return;  // a replaced link: nobody to tell
  }
  membership_->on_link_down(p, now_us());
  run_actions();
}

void PeerLinks::drop_link(NodeIndex peer) {
  auto& l = links_[peer];
  if (!l) return;
  l->closed = true;
  boost::system::error_code ec;
  l->socket.close(ec);
  l.reset();
  connected_[peer].store(false, std::memory_order_release);
}

void PeerLinks::to_shards(core::ShardMessage message) {
  for (std::uint32_t s = 0; s < options_.core.shards; ++s) deliver(s, message);
}

// Into the worker's ring for this thread, behind anything still waiting for room.
void PeerLinks::deliver(std::uint32_t shard, core::ShardMessage message) {
  auto& pending = pending_[shard];
  pending.push_back(MailItem(std::move(message)));
  if (pending.size() == 1) push_pending();
  if (pending.size() > high_water_.load(std::memory_order_relaxed)) {
    high_water_.store(pending.size(), std::memory_order_relaxed);
  }
  if (pending.size() >= options_.cluster.max_pending_per_shard) reads_paused_ = true;
}

void PeerLinks::push_pending() {
  for (std::uint32_t s = 0; s < pending_.size(); ++s) {
    auto& pending = pending_[s];
    if (pending.empty()) continue;
    Worker& w = server_.worker(s);
    auto& ring = w.mailbox().from(options_.core.shards);
    bool pushed = false;
    while (!pending.empty() && ring.try_push(pending.front())) {
      pending.pop_front();
      pushed = true;
    }
    if (pushed) w.wake();
  }
  if (!reads_paused_) return;
  for (const auto& pending : pending_) {
    if (pending.size() > options_.cluster.max_pending_per_shard / 2) return;
  }
  reads_paused_ = false;
  auto resume = std::move(paused_);
  paused_.clear();
  for (auto& c : resume) {
    if (!c->closed) read(c);
  }
}

}  // namespace iris::net
