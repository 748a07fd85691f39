#include "engine/net/node_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "engine/net/connection.h"
#include "engine/net/peer_links.h"
#include "engine/net/tls_context.h"
#include "engine/net/worker.h"

namespace iris::net {

namespace asio = boost::asio;
using asio::ip::tcp;

struct NodeServer::Listener {
  Listener(asio::io_context& io, Kind k) : acceptor(io), kind(k) {}
  tcp::acceptor acceptor;
  Kind kind;
};

Result<tcp::endpoint> parse_endpoint(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Status::invalid("expected HOST:PORT, got '" + address + "'");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Status::invalid("bad port in '" + address + "'");
  }
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return Status::invalid("bad host in '" + address + "' (use an IP address)");
  return tcp::endpoint(ip, static_cast<std::uint16_t>(port));
}

NodeServer::NodeServer(ServerOptions options, store::Store& store, std::uint64_t incarnation)
    : options_(std::move(options)), store_(store) {
  if (options_.core.shards == 0) options_.core.shards = 1;
  if (options_.core.shards > core::kMaxShards) options_.core.shards = core::kMaxShards;
  if (options_.cluster.enabled()) {
    links_ = std::make_unique<PeerLinks>(*this, options_, incarnation);
  }
  for (core::ShardId i = 0; i < options_.core.shards; ++i) {
    workers_.push_back(std::make_unique<Worker>(*this, i, options_, incarnation, store_));
  }
  if (links_) {
    // Before any thread runs: the view before the current one (a hand-over to finish, or to
    // wait for), a proposal still prepared (frozen).
    for (const auto& e : links_->startup_events()) {
      for (auto& w : workers_) {
        w->shard().on_message(core::ViewEvent(e));
        w->shard().end_turn();
      }
    }
  }
}

NodeServer::~NodeServer() { stop(); }

std::uint16_t NodeServer::peer_port() const { return links_ ? links_->peer_port() : 0; }

Status NodeServer::listen(Kind kind, const std::string& address, std::uint16_t& port_out) {
  auto ep = parse_endpoint(address);
  if (!ep) return ep.status();
  auto l = std::make_unique<Listener>(workers_[0]->io(), kind);
  boost::system::error_code ec;
  l->acceptor.open(ep->protocol(), ec);
  if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(*ep, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::io_error("cannot listen on " + address + ": " + ec.message());
  port_out = l->acceptor.local_endpoint().port();
  listeners_.push_back(std::move(l));
  return Status::ok();
}

Status NodeServer::start() {
  if (started_) return Status::ok();
  if (!options_.listen.empty()) {
    if (auto s = listen(Kind::kTcp, options_.listen, tcp_port_); !s) return s;
  }
  if (!options_.ws_listen.empty()) {
    if (auto s = listen(Kind::kWs, options_.ws_listen, ws_port_); !s) return s;
  }
  if (!options_.tls_listen.empty()) {
    if (options_.tls_cert.empty() || options_.tls_key.empty()) {
      return Status::invalid("--tls-listen needs --tls-cert and --tls-key");
    }
    boost::system::error_code ec;
    tls_ = make_tls_context(asio::ssl::context::tls_server, options_.tls_cert, options_.tls_key,
                            ec);
    if (!tls_) return Status::invalid("TLS certificate/key: " + ec.message());
    if (auto s = listen(Kind::kTls, options_.tls_listen, tls_port_); !s) return s;
  }
  if (links_) {
    if (auto s = links_->start(); !s) return s;
  }
  started_ = true;
  for (auto& w : workers_) w->start_thread();
  for (auto& l : listeners_) {
    asio::post(workers_[0]->io(), [this, lp = l.get()] { accept(*lp); });
  }
  return Status::ok();
}

void NodeServer::accept(Listener& l) {
  Worker& target = *workers_[next_worker_++ % workers_.size()];
  l.acceptor.async_accept(target.io(), [this, &l, &target](boost::system::error_code ec,
                                                           tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) return;
    if (!ec && admit(socket)) {
      asio::post(target.io(), [this, &target, kind = l.kind, s = std::move(socket)]() mutable {
        on_accepted(kind, target, std::move(s));
      });
    } else if (ec) {
      spdlog::warn("accept failed: {}", ec.message());  // e.g. out of file descriptors
    }
    accept(l);
  });
}

bool NodeServer::admit(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return false;
  if (open_connections_.load(std::memory_order_relaxed) >= options_.max_connections) {
    spdlog::warn("connection from {} refused: {} connections open", remote.address().to_string(),
                 options_.max_connections);
    return false;
  }
  std::uint64_t now = Worker::wall_us();
  auto [it, fresh] = accept_rate_.try_emplace(remote.address().to_string(),
                                              options_.new_connections_per_s_per_ip, now);
  std::uint32_t retry_ms = 0;
  if (!it->second.take(1, now, retry_ms)) {
    spdlog::warn("connection from {} refused: over {} new connections/s",
                 remote.address().to_string(), options_.new_connections_per_s_per_ip);
    return false;
  }
  if (accept_rate_.size() > 100'000) accept_rate_.clear();  // bound the table under address scans
  open_connections_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void NodeServer::on_accepted(Kind kind, Worker& w, tcp::socket socket) {
  std::shared_ptr<Connection> c;
  switch (kind) {
    case Kind::kTcp: c = make_tcp_connection(w, std::move(socket)); break;
    case Kind::kTls: c = make_tls_connection(w, std::move(socket), *tls_); break;
    case Kind::kWs: c = make_ws_connection(w, std::move(socket)); break;
  }
  w.register_connection(std::move(c));
  w.end_turn();
}

void NodeServer::run_on_all(const std::function<void(Worker&)>& fn) {
  std::vector<std::future<void>> done;
  for (auto& w : workers_) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    asio::post(w->io(), [p, &fn, wp = w.get()] {
      fn(*wp);
      wp->end_turn();
      p->set_value();
    });
  }
  for (auto& f : done) f.wait();
}

void NodeServer::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  run_on_all([this](Worker& w) {
    if (w.id() != 0) return;
    for (auto& l : listeners_) {
      boost::system::error_code ec;
      l->acceptor.close(ec);
    }
  });
  run_on_all([](Worker& w) { w.shard().begin_drain(); });
  // Persisting produces follow-up work (SEND_ACKs crossing shards, deletes, the next batch: a
  // shard has one in flight at a time): settle it, bounded.
  for (int round = 0; round < 200; ++round) {
    store_.flush();
    std::atomic<std::size_t> pending{0};
    run_on_all([&pending](Worker& w) { pending += w.shard().pending_persist(); });
    if (pending == 0 && round >= 2) break;
  }
  run_on_all([](Worker& w) { w.shard().finish_drain(); });
  store_.flush();  // last-seen times written by the sessions' ends
  run_on_all([](Worker&) {});
  run_on_all([](Worker& w) { w.close_all_connections(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    std::atomic<std::size_t> open{0};
    run_on_all([&open](Worker& w) { open += w.connection_count(); });
    if (open == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  store_.flush();
  for (auto& w : workers_) w->io().stop();
  for (auto& w : workers_) w->join();
  if (links_) links_->stop();  // last: the workers hand it frames until they stop
}

NodeStats NodeServer::stats() const {
  NodeStats s;
  s.connections = open_connections_.load(std::memory_order_relaxed);
  for (const auto& w : workers_) {
    const auto& m = w->shard().metrics();
    s.sessions += static_cast<std::uint64_t>(m.sessions.get());
    s.logins += m.logins.get();
    s.login_failures += m.login_failures.get();
    s.bad_frames += m.bad_frames.get();
    s.sends += m.sends.get();
    s.accepted += m.sends_accepted.get();
    s.delivered += m.delivered.get();
    s.acked += m.acked.get();
    s.persisted += m.persisted.get();
    s.rejected_retry_later += m.send_rejected_retry_later.get();
    s.rejected_store += m.send_rejected_store.get();
    s.rejected_rate += m.send_rejected_rate.get();
    s.slow_consumer_disconnects += m.slow_consumer_disconnects.get();
    s.memory_bytes += static_cast<std::uint64_t>(m.memory_bytes.get());
    s.inbox_messages += static_cast<std::uint64_t>(m.inbox_messages.get());
    s.hot_users += static_cast<std::uint64_t>(m.hot_users.get());
    s.hot_promotions += m.hot_promotions.get();
    s.bucketed_messages += m.bucketed_messages.get();
  }
  return s;
}

void NodeServer::set_cpu_burn(double percent) {
  for (auto& w : workers_) w->set_cpu_burn(std::clamp(percent, 0.0, 95.0));
}

void NodeServer::set_shard_memory_limit(std::uint64_t bytes) {
  const std::uint64_t limit = bytes ? bytes : options_.core.shard_memory_limit;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->io(), [worker, limit] { worker->shard().set_memory_limit(limit); });
  }
}

void NodeServer::set_shard_down(std::uint32_t shard, bool down) {
  if (shard >= workers_.size()) return;
  if (down) {
    workers_[shard]->kill_shard();
  } else {
    workers_[shard]->restart_shard();
  }
}

bool NodeServer::set_user_writes_paused(const std::string& user, bool paused) {
  if (workers_.empty()) return false;
  auto found = std::make_shared<std::promise<bool>>();
  auto result = found->get_future();
  Worker& home = *workers_[core::shard_of(user, static_cast<std::uint32_t>(workers_.size()))];
  asio::post(home.io(), [this, &home, user, paused, found] {
    const core::ConnId conn = home.shard().session_conn(user);
    if (conn == 0) return found->set_value(false);
    Worker& owner = *workers_[owner_of(conn)];
    asio::post(owner.io(), [&owner, conn, paused, found] {
      found->set_value(owner.set_writes_paused(conn, paused));
    });
  });
  if (result.wait_for(std::chrono::seconds(1)) != std::future_status::ready) return false;
  try {
    return result.get();
  } catch (const std::future_error&) {  // the workers stopped before answering
    return false;
  }
}

}  // namespace iris::net
