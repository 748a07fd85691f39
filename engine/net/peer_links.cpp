#include "engine/net/peer_links.h"

#include <spdlog/spdlog.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <random>

#include "engine/cluster/view_file.h"
#include "engine/common/logging.h"
#include "engine/core/shard_env.h"
#include "engine/net/node_server.h"
#include "engine/net/tls_context.h"
#include "engine/net/worker.h"
#include "engine/peer/peer_message.h"

namespace iris::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using cluster::NodeIndex;

namespace {
constexpr std::uint64_t kTimerUs = 5'000;
constexpr std::size_t kMaxQueuedBytes = 64u << 20;  // per link: a peer that stops reading is cut
constexpr std::uint64_t kJoinRetryUs = 1'000'000;   // a joining node asks again this often
constexpr std::size_t kMaxDecisions = 16;
}  // namespace

struct PeerLinks::Conn {
  explicit Conn(asio::io_context& io) : socket(io) {}
  tcp::socket socket;  // moved into `tls` once the link is TLS
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls;
  std::vector<std::string> cert_names;  // the peer certificate's CN and DNS names (TLS)
  tcp::socket& lowest() { return tls ? tls->next_layer() : socket; }
  void close() {
    boost::system::error_code ec;
    lowest().close(ec);
  }
  template <typename Buffer, typename Handler>
  void async_read_some(const Buffer& b, Handler&& h) {
    if (tls) {
      tls->async_read_some(b, std::forward<Handler>(h));
    } else {
      socket.async_read_some(b, std::forward<Handler>(h));
    }
  }
  template <typename Buffer, typename Handler>
  void async_write(const Buffer& b, Handler&& h) {
    if (tls) {
      asio::async_write(*tls, b, std::forward<Handler>(h));
    } else {
      asio::async_write(socket, b, std::forward<Handler>(h));
    }
  }
  peer::PeerFrameReader reader;
  std::deque<protocol::Bytes> out;
  std::size_t out_bytes = 0;
  bool writing = false;
  NodeIndex expected = cluster::kLocalNode;  // the member we dialed; kLocalNode: accepted
  NodeIndex peer = cluster::kLocalNode;      // set by its PEER_HELLO
  bool identified = false;
  bool closed = false;
  bool close_when_written = false;  // a member that left: close once what was queued is out
  bool join_dial = false;           // this (joining) node dialed a member to ask for a place
  std::string join_id;              // on a member: the node that asks to join on this link
  // LinkFault delays: frames waiting for their time, in order (due time, bytes).
  std::deque<std::pair<std::uint64_t, protocol::Bytes>> out_delayed;
  std::deque<std::pair<std::uint64_t, std::pair<std::uint8_t, protocol::Bytes>>> in_delayed;
};

namespace {
// The names a peer's certificate is for: its subject's common name, then its DNS subject
// alternative names.
std::vector<std::string> certificate_names(SSL* ssl) {
  std::vector<std::string> names;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return names;
  char cn[256] = {};
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
                                          sizeof cn);
  if (n > 0) names.emplace_back(cn, static_cast<std::size_t>(n));
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type != GEN_DNS) continue;
    const auto* data = ASN1_STRING_get0_data(gn->d.dNSName);
    names.emplace_back(reinterpret_cast<const char*>(data),
                       static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)));
  }
  if (sans != nullptr) GENERAL_NAMES_free(sans);
  X509_free(cert);
  return names;
}

cluster::ViewRecord initial_record(const ClusterOptions& o) {
  if (o.record) return *o.record;
  cluster::ViewRecord r;
  r.view = o.view;
  return r;
}
}  // namespace

PeerLinks::PeerLinks(NodeServer& server, const ServerOptions& options, std::uint64_t incarnation)
    : server_(server),
      options_(options),
      incarnation_(incarnation),
      acceptor_(io_),
      timer_(io_),
      view_(initial_record(options.cluster).view) {
  const std::size_t n = cluster::kMaxMembers;
  links_.resize(n);
  dialing_.resize(n);
  submitted_.resize(n);
  connected_ = std::make_unique<std::atomic<bool>[]>(n);
  for (std::size_t i = 0; i < n; ++i) connected_[i] = false;
  pending_.resize(options_.core.shards);
  faults_.resize(n);
  shared_view_ = std::make_shared<const cluster::View>(view_);
  const std::uint64_t now = now_us();
  membership_ = std::make_unique<cluster::Membership>(view_, options_.cluster.membership,
                                                      std::random_device{}(), now);
  cluster::ReconfigConfig rc = options_.cluster.reconfig;
  rc.shards = options_.core.shards;
  reconfig_ = std::make_unique<cluster::Reconfig>(
      initial_record(options_.cluster), rc,
      [this](NodeIndex peer) { return membership_->is_up(peer); },
      (std::uint64_t{std::random_device{}()} << 32) ^ incarnation_, now);
}

std::vector<core::ViewEvent> PeerLinks::startup_events() {
  std::vector<core::ViewEvent> events;
  reconfig_->start(now_us());
  for (auto& a : reconfig_->take_actions()) {
    if (auto e = core::shard_event_of(a)) {
      events.push_back(std::move(*e));
    } else {
      run_reconfig_action(a);  // a PersistView (a restarted coordinator drops its round)
    }
  }
  membership_->set_handover_epoch(reconfig_->handed_over_epoch());
  {
    std::lock_guard lock(mu_);
    phase_copy_ = reconfig_->phase();
    handed_over_copy_ = reconfig_->handed_over_epoch();
  }
  return events;
}

void PeerLinks::set_link_fault(NodeIndex peer, LinkFault fault) {
  asio::post(io_, [this, peer, fault] {
    if (peer >= faults_.size() || peer >= view_.size()) return;
    faults_[peer] = fault;
    logging::event(spdlog::level::warn, "peer_link_fault",
                   {{"peer", view_.members[peer].id},
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
  if (const auto& o = options_.cluster; o.peer_tls()) {
    if (o.peer_tls_cert.empty() || o.peer_tls_key.empty() || o.peer_tls_ca.empty()) {
      return Status::invalid("TLS on peer links needs --peer-tls-cert, --peer-tls-key and --peer-tls-ca");
    }
    boost::system::error_code ec;
    tls_ = make_tls_context(asio::ssl::context::tls, o.peer_tls_cert, o.peer_tls_key, ec);
    if (!tls_) return Status::invalid("peer TLS certificate/key: " + ec.message());
    tls_->load_verify_file(o.peer_tls_ca, ec);
    if (ec) return Status::invalid("peer TLS CA (" + o.peer_tls_ca + "): " + ec.message());
    // Both ends: a certificate of the cluster's CA, or no link.
    tls_->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
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
  if (!reconfig_->joined() && options_.cluster.join.empty()) {
    return Status::invalid("this node has no view of a cluster: start it with --seeds or --join");
  }
  peer_port_ = acceptor_.local_endpoint().port();
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
    for (auto* list : {&links_, &dialing_, &join_links_}) {
      for (auto& c : *list) {
        if (c) {
          c->closed = true;
          c->close();
        }
      }
    }
    io_.stop();
  });
  if (thread_.joinable()) thread_.join();
  persist_pool_.join();  // a write in flight ends (its completion has nowhere to go)
}

bool PeerLinks::connected(NodeIndex node) const {
  return node < cluster::kMaxMembers && connected_[node].load(std::memory_order_acquire);
}

std::shared_ptr<const cluster::View> PeerLinks::view() const {
  std::lock_guard lock(mu_);
  return shared_view_;
}

void PeerLinks::submit(NodeIndex node, protocol::Bytes frames) {
  if (node >= cluster::kMaxMembers || frames.empty()) return;
  std::lock_guard lock(mu_);
  auto& buf = submitted_[node];
  if (buf.empty()) {
    buf = std::move(frames);
    submitted_nodes_.push_back(node);
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

void PeerLinks::report(const core::ShardReport& r) {
  asio::post(io_, [this, r] {
    if (r.kind == core::ShardReport::Kind::kDrained) {
      reconfig_->on_shard_drained(r.shard, r.epoch, r.round, now_us());
    } else {
      reconfig_->on_shard_handed_over(r.shard, r.epoch, now_us());
    }
    run_actions();
  });
}

Result<std::uint64_t> PeerLinks::request_leave(const std::string& node_id) {
  auto answer = std::make_shared<std::promise<Result<std::uint64_t>>>();
  auto result = answer->get_future();
  asio::post(io_, [this, node_id, answer] {
    auto r = reconfig_->request_leave(node_id, now_us());
    run_actions();
    answer->set_value(std::move(r));
  });
  if (result.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
    return Status::unavailable("the cluster links did not answer in time");
  }
  return result.get();
}

PeerLinks::ReconfigStatus PeerLinks::reconfig_status() const {
  std::lock_guard lock(mu_);
  return ReconfigStatus{shared_view_, phase_copy_, handed_over_copy_,
                        {decisions_.begin(), decisions_.end()}};
}

void PeerLinks::flush_submitted() {
  std::vector<std::pair<NodeIndex, protocol::Bytes>> batch;
  {
    std::lock_guard lock(mu_);
    batch.reserve(submitted_nodes_.size());
    for (NodeIndex n : submitted_nodes_) batch.emplace_back(n, std::move(submitted_[n]));
    for (NodeIndex n : submitted_nodes_) submitted_[n] = {};
    submitted_nodes_.clear();
    flush_posted_ = false;
  }
  for (auto& [n, bytes] : batch) {
    if (links_[n]) write(links_[n], std::move(bytes));  // else: down, the shards will know
  }
}

void PeerLinks::on_timer() {
  // No stop check here: stop() cancels the timer on this thread, so a tick never runs after it.
  const std::uint64_t now = now_us();
  for (const auto& c : links_) {
    if (c && (!c->out_delayed.empty() || !c->in_delayed.empty())) release_delayed(c, now);
  }
  membership_->on_tick(now);
  reconfig_->on_tick(now);
  if (!reconfig_->joined() && now >= next_join_dial_us_) {
    next_join_dial_us_ = now + kJoinRetryUs;
    dial_join();
  }
  run_actions();
  push_pending();
  timer_.expires_after(std::chrono::microseconds(kTimerUs));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_timer();
  });
}

void PeerLinks::run_actions() {
  for (;;) {
    bool any = false;
    for (auto& a : reconfig_->take_actions()) {
      any = true;
      reconfig_queue_.push_back(std::move(a));
    }
    run_reconfig_queue();
    for (auto& a : membership_->take_actions()) {
      any = true;
      if (auto* d = std::get_if<cluster::Dial>(&a)) {
        dial(d->peer);
      } else if (auto* c = std::get_if<cluster::CloseLink>(&a)) {
        if (auto& dl = dialing_[c->peer]) {
          dl->closed = true;
          dl->close();
          dl.reset();
        }
        if (!view_.linked(c->peer) && links_[c->peer]) {
          // A member that left: not a failure. What was queued for it still goes out.
          close_gracefully(links_[c->peer]);
          links_[c->peer].reset();
          connected_[c->peer].store(false, std::memory_order_release);
        } else {
          drop_link(c->peer);
        }
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
                       st->up ? "peer_up" : "peer_down", {{"peer", view_.members[st->peer].id}});
        to_shards(core::PeerStatus{st->peer, st->up});
      }
    }
    if (!any) break;
  }
  membership_->set_handover_epoch(reconfig_->handed_over_epoch());
  std::lock_guard lock(mu_);
  peers_copy_ = membership_->peers();
  phase_copy_ = reconfig_->phase();
  handed_over_copy_ = reconfig_->handed_over_epoch();
}

// Reconfig's actions in order. A PersistView is written (and fsynced) on the persistence thread,
// not here: this thread carries the heartbeats, and a slow disk must not make every peer think
// this node is down. What follows a PersistView waits until it is on disk (a vote or a commit is
// never sent before).
void PeerLinks::run_reconfig_queue() {
  while (!persist_pending_ && !reconfig_queue_.empty()) {
    cluster::ReconfigAction a = std::move(reconfig_queue_.front());
    reconfig_queue_.pop_front();
    auto* p = std::get_if<cluster::PersistView>(&a);
    if (p == nullptr) {
      run_reconfig_action(a);
      continue;
    }
    if (options_.cluster.view_file.empty()) continue;
    persist_pending_ = true;
    asio::post(persist_pool_, [this, record = std::move(p->record)] {
      Status st = cluster::save_view_record(options_.cluster.view_file, record);
      asio::post(io_, [this, st = std::move(st)] {
        if (!st) {
          spdlog::error("cluster view: {} (the node goes on with the view in memory)",
                        st.to_string());
        }
        persist_pending_ = false;
        run_actions();
      });
    });
  }
}

void PeerLinks::run_reconfig_action(cluster::ReconfigAction& action) {
  if (auto* f = std::get_if<cluster::SendViewFrame>(&action)) {
    protocol::Bytes b;
    std::visit([&b](const auto& frame) { peer::encode_peer(b, peer::PeerFrame(frame)); }, f->frame);
    if (f->peer < links_.size() && links_[f->peer]) {
      write(links_[f->peer], std::move(b));
      return;
    }
    // A node being added has no member link yet: the decision goes back on its join link.
    if (f->peer < view_.size() || std::holds_alternative<cluster::ViewCommit>(f->frame)) {
      const auto* commit = std::get_if<cluster::ViewCommit>(&f->frame);
      const std::string id = f->peer < view_.size()           ? view_.members[f->peer].id
                             : commit && f->peer < commit->members.size() ? commit->members[f->peer].id
                                                                          : std::string();
      for (const auto& c : join_links_) {
        if (!c->closed && !id.empty() && c->join_id == id) write(c, b);
      }
    }
  } else if (auto* p = std::get_if<cluster::PersistView>(&action)) {
    // At start-up only (startup_events(), before any thread runs); later ones go through
    // run_reconfig_queue() and the persistence thread.
    if (!options_.cluster.view_file.empty()) {
      if (Status st = cluster::save_view_record(options_.cluster.view_file, p->record); !st) {
        spdlog::error("cluster view: {} (the node goes on with the view in memory)", st.to_string());
      }
    }
  } else if (auto* fz = std::get_if<cluster::FreezeShards>(&action)) {
    logging::event(spdlog::level::info, "view_prepared",
                   {{"epoch", std::to_string(fz->proposal->epoch)}});
    to_shards(*core::shard_event_of(action));
  } else if (auto* t = std::get_if<cluster::ThawShards>(&action)) {
    logging::event(spdlog::level::info, "view_thawed", {{"epoch", std::to_string(t->epoch)}});
    to_shards(*core::shard_event_of(action));
  } else if (auto* c = std::get_if<cluster::CommitShards>(&action)) {
    adopt_view(*c->view);
    to_shards(*core::shard_event_of(action));
  } else if (std::holds_alternative<cluster::HandoverDone>(action)) {
    to_shards(*core::shard_event_of(action));
  } else if (auto* d = std::get_if<cluster::ChangeDecided>(&action)) {
    logging::event(d->committed ? spdlog::level::info : spdlog::level::warn,
                   d->committed ? "view_change_committed" : "view_change_aborted",
                   {{"epoch", std::to_string(d->epoch)}, {"change", d->what},
                    {"reason", d->reason}});
    using namespace std::chrono;
    std::lock_guard lock(mu_);
    decisions_.push_back(Decision{
        d->epoch, d->committed, d->what, d->reason,
        static_cast<std::uint64_t>(
            duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count())});
    while (decisions_.size() > kMaxDecisions) decisions_.pop_front();
  } else if (std::holds_alternative<cluster::LeftCluster>(action)) {
    if (!left_) {
      left_ = true;
      spdlog::warn("this node has left the cluster: it owns no user and links to no member");
      if (options_.cluster.on_left) options_.cluster.on_left();
    }
  }
}

// A view change committed here: links follow it (new members are dialed or awaited, members
// that left are closed), and every other thread sees it from now on.
void PeerLinks::adopt_view(const cluster::View& v) {
  const bool was_joining = view_.epoch == 0;
  view_ = v;
  membership_->set_view(v, now_us());
  {
    std::lock_guard lock(mu_);
    shared_view_ = std::make_shared<const cluster::View>(v);
  }
  std::string members;
  for (const auto& m : v.members) {
    members += (members.empty() ? "" : ",") + m.id + ":" + cluster::to_string(m.state);
  }
  logging::event(spdlog::level::info, "view_committed",
                 {{"epoch", std::to_string(v.epoch)}, {"members", members}});
  if (was_joining) {
    // In the cluster now: its members dial this node or wait for it, as for any member.
    for (auto& c : join_links_) close_gracefully(c);
    join_links_.clear();
  }
}

protocol::Bytes PeerLinks::hello() const {
  peer::PeerHello h;
  h.cluster = options_.cluster.name;
  h.node_id = self_id();
  h.incarnation = incarnation_;
  h.epoch = view_.epoch;  // 0: a node that asks to join
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
  auto ep = parse_endpoint(view_.members[peer].peer_address);
  if (!ep) {
    spdlog::error("peer {}: bad address: {}", view_.members[peer].id, ep.status().message());
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

// A node started with --join and no view yet: a link to the member it was told of, on which it
// asks for a place (JOIN_REQUEST, after both PEER_HELLOs) and hears the decision.
void PeerLinks::dial_join() {
  for (auto& c : join_links_) {
    if (!c->closed) {
      c->closed = true;
      c->close();
    }
  }
  join_links_.clear();
  auto ep = parse_endpoint(options_.cluster.join);
  if (!ep) {
    spdlog::error("--join {}: {}", options_.cluster.join, ep.status().message());
    return;
  }
  auto c = std::make_shared<Conn>(io_);
  c->join_dial = true;
  join_links_.push_back(c);
  c->socket.async_connect(*ep, [this, c](boost::system::error_code ec) {
    if (c->closed) return;
    if (ec) {
      spdlog::warn("--join {}: {} (trying again)", options_.cluster.join, ec.message());
      c->closed = true;
      return;
    }
    start_conn(c);
  });
}

void PeerLinks::start_conn(const std::shared_ptr<Conn>& c) {
  boost::system::error_code ec;
  c->socket.set_option(tcp::no_delay(true), ec);
  if (!tls_) {
    write(c, hello());
    read(c);
    return;
  }
  // TLS: both ends show a certificate of the cluster's CA; the one who dialed is the client.
  // PEER_HELLO must then name a node the certificate is for (handle_hello()).
  c->tls = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(c->socket), *tls_);
  const bool dialed = c->expected != cluster::kLocalNode || c->join_dial;
  c->tls->async_handshake(dialed ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
                          [this, c](boost::system::error_code hec) {
                            if (c->closed) return;
                            if (hec) return fail(c, "TLS handshake: " + hec.message());
                            c->cert_names = certificate_names(c->tls->native_handle());
                            write(c, hello());
                            read(c);
                          });
}

void PeerLinks::read(const std::shared_ptr<Conn>& c) {
  auto buf = c->reader.prepare(64 * 1024);
  c->async_read_some(asio::buffer(buf.data(), buf.size()),
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
  if (c->close_when_written) return;  // closing: what it still says is not heard
  if (!c->identified) {
    const auto* h = std::get_if<peer::PeerHello>(&frame);
    if (h == nullptr) return fail(c, "first frame is not PEER_HELLO");
    return handle_hello(c, *h);
  }
  if (c->join_dial || !c->join_id.empty()) return handle_join_frame(c, std::move(frame));
  const NodeIndex p = c->peer;
  const std::uint64_t now = now_us();
  if (auto* hb = std::get_if<cluster::Heartbeat>(&frame)) {
    membership_->on_heartbeat(p, *hb, now);
    reconfig_->on_heartbeat(p, hb->epoch, hb->handover_epoch, now);
    return;
  }
  if (auto* ack = std::get_if<cluster::HeartbeatAck>(&frame)) {
    membership_->on_heartbeat_ack(p, *ack, now);
    return;
  }
  membership_->on_frame(p, now);
  const bool view_frame = std::visit(
      [&](auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_constructible_v<cluster::ViewFrame, T>) {
          reconfig_->on_frame(p, cluster::ViewFrame(std::move(f)), now);
          return true;
        } else {
          return false;
        }
      },
      frame);
  if (view_frame) return;  // run_actions() after the read batch carries out what it decided
  if (auto m = peer::to_shard_message(std::move(frame), p)) {
    // The shard first: the message is moved into deliver()'s parameter.
    const auto shard = core::shard_for_peer_message(*m, view_, options_.core.shards);
    deliver(shard, std::move(*m));
  }
}

void PeerLinks::handle_hello(const std::shared_ptr<Conn>& c, const peer::PeerHello& h) {
  if (h.version != peer::kPeerProtocolVersion) return fail(c, "peer protocol version");
  if (c->tls && std::find(c->cert_names.begin(), c->cert_names.end(), h.node_id) ==
                    c->cert_names.end()) {
    return fail(c, "node '" + h.node_id + "' shows a certificate for " +
                       (c->cert_names.empty() ? std::string("no name") : c->cert_names.front()));
  }
  if (h.cluster != options_.cluster.name) {
    return fail(c, "cluster '" + h.cluster + "' is not '" + options_.cluster.name + "'");
  }
  if (c->join_dial) {  // this node asks the member it dialed for a place
    c->identified = true;
    cluster::JoinRequest req;
    req.node_id = self_id();
    req.peer_address = view_.members[view_.self].peer_address;
    req.client_address = view_.members[view_.self].client_address;
    protocol::Bytes b;
    peer::encode_peer(b, req);
    write(c, std::move(b));
    logging::event(spdlog::level::info, "join_requested", {{"member", h.node_id}});
    return;
  }
  const NodeIndex p = view_.index_of(h.node_id);
  if (p == cluster::kLocalNode || !view_.linked(p)) {
    if (h.epoch == 0 && c->expected == cluster::kLocalNode && reconfig_->joined()) {
      // A node started with --join: it may only ask for a place on this link.
      c->identified = true;
      c->join_id = h.node_id;
      join_links_.push_back(c);
      return;
    }
    return fail(c, "node '" + h.node_id + "' is not a member");
  }
  if (p == view_.self) return fail(c, "node '" + h.node_id + "' is this node");
  // The lower id dials: a link we accepted must come from a lower id.
  if (c->expected != cluster::kLocalNode ? p != c->expected
                                         : view_.members[p].id > self_id()) {
    return fail(c, "unexpected node '" + h.node_id + "' on this link");
  }
  if (faults_[p].drop_in) return;  // its hello is lost too: the link never comes up
  c->identified = true;
  c->peer = p;
  if (dialing_[p] == c) dialing_[p].reset();
  if (links_[p] && links_[p] != c) drop_link(p);  // a new link replaces the old one
  links_[p] = c;
  connected_[p].store(true, std::memory_order_release);
  logging::event(spdlog::level::info, "peer_link",
                 {{"peer", h.node_id}, {"incarnation", std::to_string(h.incarnation)}});
  membership_->on_link_up(p, now_us());
}

// The frames of a join link: a node that asks for a place sends JOIN_REQUEST (on a member); the
// member it asked sends the decision, VIEW_COMMIT (on the joining node).
void PeerLinks::handle_join_frame(const std::shared_ptr<Conn>& c, peer::PeerFrame frame) {
  const std::uint64_t now = now_us();
  if (c->join_dial) {
    if (auto* commit = std::get_if<cluster::ViewCommit>(&frame)) {
      reconfig_->on_frame(cluster::kLocalNode, cluster::ViewFrame(std::move(*commit)), now);
    }
    return;  // heartbeats and the rest: not for a node that is not a member yet
  }
  if (auto* req = std::get_if<cluster::JoinRequest>(&frame)) {
    if (req->node_id != c->join_id) return fail(c, "JOIN_REQUEST for another node");
    auto r = reconfig_->request_join(*req, now);
    if (r) {
      logging::event(spdlog::level::info, "join_proposed",
                     {{"node", req->node_id}, {"epoch", std::to_string(*r)}});
    } else {
      // It asks again in a second (another change may be under way).
      logging::event(spdlog::level::warn, "join_refused",
                     {{"node", req->node_id}, {"reason", r.status().message()}});
    }
    return;
  }
  fail(c, "a node that is not a member may only send JOIN_REQUEST");
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
  if (c->writing || c->closed) return;
  if (c->out.empty()) {
    if (c->close_when_written) {
      c->closed = true;
      boost::system::error_code ec;
      c->lowest().shutdown(tcp::socket::shutdown_both, ec);
      c->close();
    }
    return;
  }
  c->writing = true;
  c->async_write(asio::buffer(c->out.front()),
                    [this, c](boost::system::error_code ec, std::size_t) {
                      c->writing = false;
                      if (c->closed) return;
                      if (ec) return fail(c, ec.message());
                      c->out_bytes -= c->out.front().size();
                      c->out.pop_front();
                      pump_writes(c);
                    });
}

// Closes once what is queued is written (delayed frames are dropped): the peer was told
// everything, and no failure is reported for it.
void PeerLinks::close_gracefully(const std::shared_ptr<Conn>& c) {
  if (!c || c->closed) return;
  c->out_delayed.clear();
  c->close_when_written = true;
  c->identified = false;  // nothing it says now reaches the membership
  c->join_id.clear();
  c->join_dial = false;
  c->expected = cluster::kLocalNode;
  pump_writes(c);
}

void PeerLinks::fail(const std::shared_ptr<Conn>& c, const std::string& why) {
  if (c->closed) return;
  c->closed = true;
  c->close();
  if (c->join_dial || !c->join_id.empty()) {
    logging::event(spdlog::level::info, "join_link_closed",
                   {{"node", c->join_id.empty() ? std::string("(this node)") : c->join_id},
                    {"why", why}});
    return;
  }
  NodeIndex p = c->identified ? c->peer : c->expected;
  if (p == cluster::kLocalNode) return;  // an accepted link that never said who it was
  spdlog::info("peer {} link failed: {}", view_.members[p].id, why);
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
  l->close();
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
