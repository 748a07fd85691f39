// iris-load: a load generator for iris-nodes. Many client connections in one process on one
// Asio thread, each a client::ClientCore (the protocol's client logic) over a TCP socket.
//
//   iris-load --target 127.0.0.1:7400 --connections 200 --rate 20000 --duration 10
//   iris-load --target 127.0.0.1:7400 --mode closed --inflight 8 --connections 100
//   iris-load --target 127.0.0.1:7400 --pattern idle --connections 5000 --duration 30
//
// Open loop (default): a fixed schedule of sends, `--rate` per second over every sender, spaced
// evenly; latency counts from the *scheduled* time, so a stall on the node or here shows up
// (wrk2's coordinated-omission correction) instead of being hidden by a sender that waited.
// Closed loop: every sender keeps `--inflight` messages outstanding. Patterns: pairs (connection
// 2i sends to 2i+1 and back), hot (every sender to one recipient), fanin (every sender to
// recipients in a small group of 8), idle (log in and stay: sessions only).
//
// Printed: sends, SEND_ACKs and deliveries per second; percentiles of send -> SEND_ACK and
// send -> delivery (both from the scheduled time in open loop); refusals; with --json, the
// same as a JSON document for tools. Bounded in count and time: --duration, --connections.
// Source addresses: --bind 127.0.0.2,127.0.0.3 spreads the connections over local addresses
// (one address has ~28k ephemeral ports); run several iris-load processes for more than one core.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <netinet/in.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <array>
#include <fstream>
#include <sstream>
#include <functional>
#include <unordered_map>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "engine/auth/token.h"
#include "engine/client/client_core.h"
#include "engine/metrics/histogram.h"
#include "engine/net/node_server.h"

namespace asio = boost::asio;
namespace po = boost::program_options;
namespace json = boost::json;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using iris::client::ClientCore;

namespace {

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

enum class Pattern { kPairs, kHot, kFanIn, kIdle };

struct Options {
  std::vector<tcp::endpoint> targets;
  std::vector<asio::ip::address> bind;
  std::uint32_t connections = 100;
  double rate = 10'000;  // open loop: messages per second, all senders together
  bool closed = false;
  std::uint32_t inflight = 4;  // closed loop: per sender
  double duration_s = 10, warmup_s = 1;
  double connect_rate = 2'000;  // new connections per second
  std::uint64_t messages = 0;  // closed loop: send exactly this many, then drain (0: --duration)
  std::size_t payload = 64;
  Pattern pattern = Pattern::kPairs;
  std::string secret;   // mint tokens; empty: bare user ids (--insecure-dev-login nodes)
  std::string prefix = "load";
  bool websocket = false;
  std::uint32_t processes = 1;
  // This process's share: connections are users first .. first+connections-1 of `total`.
  std::uint32_t first = 0, total = 0;
  bool counted = false;  // --messages given: send exactly `messages` (this process's share, maybe 0)
  // --processes: a child reports its logins on ready_fd, then starts when the parent writes to
  // go_fd, so every process's clock starts together.
  int ready_fd = -1, go_fd = -1;
};

struct Stats {
  iris::metrics::HistogramSnapshot ack, deliver;
  iris::metrics::HistogramSnapshot lag;  // open loop: how late this generator sent (now - scheduled)
  std::uint64_t sent = 0, acked = 0, refused = 0, delivered = 0, send_full = 0;
  std::uint64_t logins = 0, login_failures = 0, disconnects = 0;
  std::string first_error;  // the first socket error ("bind: Cannot assign requested address")
  std::uint64_t budget = ~0ull;  // --messages: sends left
  std::uint64_t last_answer_us = 0;  // the latest counted SEND_ACK or delivery
  bool measuring = false;
  // A message counts (its ack, its delivery) when it was scheduled in the window, whenever its
  // answer comes: the run drains after the window.
  std::uint64_t from_us = ~0ull, to_us = ~0ull;
  bool in_window(std::uint64_t scheduled_us) const {
    return scheduled_us >= from_us && scheduled_us < to_us;
  }
  void record(iris::metrics::HistogramSnapshot& h, std::uint64_t us) {
    const int b = iris::metrics::bucket_of(us);
    ++h.counts[static_cast<std::size_t>(b)];
    ++h.total;
    h.sum += us;
    h.max = std::max(h.max, us);
  }
};

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& io, const Options& o, Stats& st, std::uint32_t index, std::string user)
      : socket_(io), o_(o), st_(st), index_(index), user_(std::move(user)),
        core_(options_for(o, user_), now_us()) {
    if (o.websocket) ws_ = std::make_unique<beast::websocket::stream<beast::tcp_stream>>(io);
  }

  void start(const tcp::endpoint& target, const asio::ip::address* bind) {
    boost::system::error_code ec;
    tcp::socket& sock = lowest();
    sock.open(target.protocol(), ec);
    if (ec) return fail("socket", ec);
    if (bind) {
      // The source port is picked at connect(), where only the whole 4-tuple must be unique: a
      // bind() to port 0 reserves a port of the address for any destination, and a second run
      // within a minute would find the ports of the first one still in TIME_WAIT.
      const int one = 1;
      ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sock.bind(tcp::endpoint(*bind, 0), ec);
      if (ec) return fail("bind", ec);
    }
    sock.async_connect(target, [self = shared_from_this(), target](boost::system::error_code e) {
      if (e) return self->fail("connect", e);
      boost::system::error_code ignore;
      self->lowest().set_option(tcp::no_delay(true), ignore);
      if (!self->ws_) return self->connected();
      self->ws_->binary(true);
      self->ws_->async_handshake(target.address().to_string() + ":" + std::to_string(target.port()),
                                 "/", [self](boost::system::error_code he) {
                                   if (he) return self->fail("websocket handshake", he);
                                   self->connected();
                                 });
    });
  }

  bool ready() const { return core_.logged_in() && !closed_; }
  std::size_t outstanding() const { return outstanding_; }

  // One message to `to`, scheduled at `scheduled_us` (its latency counts from there).
  bool send(const std::string& to, std::uint64_t scheduled_us) {
    std::string payload(std::max<std::size_t>(o_.payload, 24), 'x');
    std::snprintf(payload.data(), 24, "%020llu", static_cast<unsigned long long>(scheduled_us));
    const std::uint64_t id = core_.send(to, payload, now_us());
    if (id == 0) {
      if (st_.measuring) ++st_.send_full;
      return false;
    }
    scheduled_[id] = scheduled_us;
    ++outstanding_;
    if (st_.budget != ~0ull) --st_.budget;
    if (st_.in_window(scheduled_us)) ++st_.sent;
    flush();
    return true;
  }
  void tick() {
    core_.on_tick(now_us());
    flush();
  }
  std::function<void(Conn&)> on_done;  // closed loop: a send was answered

 private:
  static iris::client::ClientOptions options_for(const Options& o, const std::string& user) {
    iris::client::ClientOptions c;
    c.client_name = "iris-load";
    c.max_pending_sends = 1u << 16;
    // Redeliveries come from a session's unacknowledged window (1,024 on a node): 4,096 remembered
    // deliveries per connection are plenty, where the default 65,536 makes this generator's
    // duplicate check the cache misses of a million-entry set (perf: a quarter of its CPU).
    c.dedup_capacity = 4096;
    if (o.secret.empty()) {
      c.token = user;
    } else {
      c.token = iris::auth::mint_token_for(o.secret, user, std::chrono::hours(24));
    }
    return c;
  }

  // WebSocket: one message per batch of frames, cut at a frame boundary so that no message
  // exceeds what a node accepts (4 maximum frames); the rest waits for the next write.
  static constexpr std::size_t kMaxWsMessage = 192 * 1024;
  void take_ws_message() {
    const auto more = core_.take_output();
    backlog_.insert(backlog_.end(), more.begin(), more.end());
    std::size_t cut = 0;
    while (cut + 4 <= backlog_.size()) {
      const std::size_t len = (std::size_t{backlog_[cut]} << 24) | (std::size_t{backlog_[cut + 1]} << 16) |
                              (std::size_t{backlog_[cut + 2]} << 8) | std::size_t{backlog_[cut + 3]};
      const std::size_t next = cut + 4 + len;
      if (next > backlog_.size() || (cut > 0 && next > kMaxWsMessage)) break;
      cut = next;
    }
    out_.assign(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(cut));
    backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(cut));
  }

  tcp::socket& lowest() { return ws_ ? beast::get_lowest_layer(*ws_).socket() : socket_; }

  void connected() {
    core_.on_connected(now_us());
    flush();
    read();
  }

  void read() {
    if (ws_) {
      ws_->async_read(wsbuf_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        if (ec) return self->fail();
        const auto data = self->wsbuf_.cdata();
        self->core_.on_bytes(
            std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data.data()), data.size()),
            now_us());
        self->wsbuf_.consume(data.size());
        self->handle_events();
        self->flush();
        self->read();
      });
      return;
    }
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](
                                                    boost::system::error_code ec, std::size_t n) {
      if (ec) return self->fail();
      self->core_.on_bytes(std::span<const std::uint8_t>(self->buf_.data(), n), now_us());
      self->handle_events();
      self->flush();
      self->read();
    });
  }

  void handle_events() {
    const std::uint64_t now = now_us();
    for (auto& e : core_.take_events()) {
      if (std::holds_alternative<iris::client::LoggedIn>(e)) {
        ++st_.logins;
      } else if (auto* d = std::get_if<iris::client::SendDone>(&e)) {
        auto it = scheduled_.find(d->client_msg_id);
        if (it == scheduled_.end()) continue;
        if (st_.in_window(it->second)) {
          st_.last_answer_us = now;
          if (d->status == iris::protocol::SendStatus::kOk) {
            ++st_.acked;
            st_.record(st_.ack, now > it->second ? now - it->second : 0);
          } else {
            ++st_.refused;
          }
        }
        scheduled_.erase(it);
        --outstanding_;
        if (on_done) on_done(*this);
      } else if (auto* dv = std::get_if<iris::client::Delivered>(&e)) {
        const std::uint64_t at = std::strtoull(dv->payload.c_str(), nullptr, 10);
        if (st_.in_window(at)) {
          st_.last_answer_us = now;
          ++st_.delivered;
          if (at <= now) st_.record(st_.deliver, now - at);
        }
      } else if (std::holds_alternative<iris::client::ServerError>(e) ||
                 std::holds_alternative<iris::client::ServerBye>(e) ||
                 std::holds_alternative<iris::client::Redirected>(e)) {
        if (!core_.logged_in()) ++st_.login_failures;
      }
    }
  }

  // Everything the core produced goes out in one write; the next waits for it (coalescing).
  void flush() {
    if (writing_ || closed_) return;
    if (ws_) {
      take_ws_message();
    } else {
      out_ = core_.take_output();
    }
    if (out_.empty()) return;
    writing_ = true;
    auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->fail();
      self->flush();
    };
    if (ws_) {
      ws_->async_write(asio::buffer(out_), std::move(done));  // one message per batch of frames
    } else {
      asio::async_write(socket_, asio::buffer(out_), std::move(done));
    }
  }

  void fail(const char* what = nullptr, boost::system::error_code e = {}) {
    if (closed_) return;
    closed_ = true;
    ++st_.disconnects;
    if (what != nullptr && st_.first_error.empty()) st_.first_error = std::string(what) + ": " + e.message();
    if (!core_.logged_in()) ++st_.login_failures;
    boost::system::error_code ec;
    lowest().close(ec);
  }

  tcp::socket socket_;
  std::unique_ptr<beast::websocket::stream<beast::tcp_stream>> ws_;  // --websocket
  beast::flat_buffer wsbuf_;
  iris::protocol::Bytes backlog_;  // --websocket: frames not yet in a message
  const Options& o_;
  Stats& st_;
  std::uint32_t index_;
  std::string user_;
  ClientCore core_;
  std::array<std::uint8_t, 16 * 1024> buf_{};
  iris::protocol::Bytes out_;
  std::unordered_map<std::uint64_t, std::uint64_t> scheduled_;  // client id -> scheduled time
  std::size_t outstanding_ = 0;
  bool writing_ = false, closed_ = false;
};

std::string recipient_of(const Options& o, std::uint32_t i, std::uint32_t n) {
  switch (o.pattern) {
    case Pattern::kPairs: return o.prefix + std::to_string(i ^ 1u);
    case Pattern::kHot: return o.prefix + "0";
    case Pattern::kFanIn: return o.prefix + std::to_string(i % std::min<std::uint32_t>(8, n));
    case Pattern::kIdle: break;
  }
  return {};
}

json::object percentiles(const iris::metrics::HistogramSnapshot& h) {
  json::object o{{"count", h.total}};
  for (auto [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}}) {
    o[name] = static_cast<double>(h.quantile(q)) / 1000.0;  // ms
  }
  o["max"] = static_cast<double>(h.max) / 1000.0;
  return o;
}

}  // namespace

struct Outcome {
  Stats st;
  std::uint32_t ready = 0;
  double secs = 0;
  bool drained = false;
};

// A child's outcome for its parent (--processes): counters and every histogram bucket.
json::object to_wire(const Outcome& r) {
  auto hist = [](const iris::metrics::HistogramSnapshot& h) {
    json::array a;
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
      if (h.counts[b]) a.push_back(json::array{b, h.counts[b]});
    }
    return json::object{{"buckets", a}, {"sum", h.sum}, {"max", h.max}};
  };
  const Stats& st = r.st;
  return {{"ready", r.ready}, {"secs", r.secs}, {"drained", r.drained}, {"sent", st.sent},
          {"acked", st.acked}, {"refused", st.refused}, {"delivered", st.delivered},
          {"send_full", st.send_full}, {"disconnects", st.disconnects}, {"ack", hist(st.ack)},
          {"deliver", hist(st.deliver)}, {"lag", hist(st.lag)}};
}

void merge_wire(Outcome& into, const json::object& w) {
  auto u = [&](const char* k) { return json::value_to<std::uint64_t>(w.at(k)); };
  into.ready += static_cast<std::uint32_t>(u("ready"));
  into.secs = std::max(into.secs, json::value_to<double>(w.at("secs")));
  into.drained = into.drained && w.at("drained").as_bool();
  into.st.sent += u("sent");
  into.st.acked += u("acked");
  into.st.refused += u("refused");
  into.st.delivered += u("delivered");
  into.st.send_full += u("send_full");
  into.st.disconnects += u("disconnects");
  for (auto [name, h] : {std::pair{"ack", &into.st.ack}, {"deliver", &into.st.deliver}, {"lag", &into.st.lag}}) {
    const auto& o = w.at(name).as_object();
    iris::metrics::HistogramSnapshot part;
    for (const auto& b : o.at("buckets").as_array()) {
      const auto& pair = b.as_array();
      const auto idx = json::value_to<std::size_t>(pair.at(0));
      if (idx >= part.counts.size()) continue;
      part.counts[idx] = json::value_to<std::uint64_t>(pair.at(1));
      part.total += part.counts[idx];
    }
    part.sum = json::value_to<std::uint64_t>(o.at("sum"));
    part.max = json::value_to<std::uint64_t>(o.at("max"));
    h->merge(part);
  }
}

// One process's run: connect (paced), log in, send on the schedule, drain. Bounded in time.
Outcome run(const Options& o) {
  asio::io_context io(1);
  // Kept busy for the whole run: with every connection gone the loop must still wake for its timer.
  auto keep_running = asio::make_work_guard(io);
  Stats st;
  std::vector<std::shared_ptr<Conn>> conns;
  for (std::uint32_t i = 0; i < o.connections; ++i) {
    conns.push_back(std::make_shared<Conn>(io, o, st, i, o.prefix + std::to_string(o.first + i)));
  }
  // Senders: everyone but the recipients of hot / fan-in (pairs: everyone; idle: nobody).
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 0; i < o.connections; ++i) {
    if (o.pattern == Pattern::kIdle) break;
    if (o.pattern == Pattern::kPairs && ((o.first + i) ^ 1u) >= o.first + o.connections) continue;
    if (o.pattern == Pattern::kHot && i == 0) continue;
    if (o.pattern == Pattern::kFanIn && i < std::min<std::uint32_t>(8, o.connections)) continue;
    senders.push_back(i);
  }
  // Wait (bounded) for the logins.
  // Connections open at --connect-rate per second (a node refuses a flood of new connections);
  // the wait is bounded: the time the ramp needs plus 30 s.
  const auto ramp_start = std::chrono::steady_clock::now();
  const auto login_deadline =
      ramp_start + std::chrono::seconds(30) +
      std::chrono::milliseconds(static_cast<std::int64_t>(1000.0 * o.connections / o.connect_rate));
  std::uint32_t started = 0;
  auto start_due = [&] {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - ramp_start).count();
    const auto due = static_cast<std::uint32_t>(
        std::min<double>(o.connections, 1.0 + elapsed * o.connect_rate));
    for (; started < due; ++started) {
      conns[started]->start(o.targets[started % o.targets.size()],
                            o.bind.empty() ? nullptr : &o.bind[started % o.bind.size()]);
    }
  };
  auto all_in = [&] {
    for (const auto& c : conns) {
      if (!c->ready()) return false;
    }
    return true;
  };
  auto all_settled = [&] {  // every connection logged in or gone: nothing more to wait for
    std::uint64_t in = 0;
    for (const auto& c : conns) in += c->ready() ? 1 : 0;
    return in + st.disconnects >= o.connections;
  };
  while ((started < o.connections || !all_in()) && std::chrono::steady_clock::now() < login_deadline) {
    if (started == o.connections && all_settled()) break;
    start_due();
    io.run_for(std::chrono::milliseconds(started < o.connections ? 1 : 10));
  }
  std::uint32_t ready = 0;
  for (const auto& c : conns) ready += c->ready() ? 1 : 0;
  std::fprintf(stderr, "iris-load: %u of %u connections logged in%s%s\n", ready, o.connections,
               st.first_error.empty() ? "" : "; first error: ", st.first_error.c_str());

  if (o.closed) {
    for (auto i : senders) {
      const std::string to = recipient_of(o, o.first + i, o.total);
      conns[i]->on_done = [&o, &st, to](Conn& c) {
        while (c.outstanding() < o.inflight && st.budget > 0 && c.send(to, now_us())) {
        }
      };
    }
  }
  if (o.ready_fd >= 0) {  // --processes: tell the parent, wait for everyone
    const char byte = 1;
    char go = 0;
    if (write(o.ready_fd, &byte, 1) != 1 || read(o.go_fd, &go, 1) != 1) return Outcome{};
  }
  const std::uint64_t t0 = now_us();
  const std::uint64_t measure_from = t0 + static_cast<std::uint64_t>(o.warmup_s * 1e6);
  const std::uint64_t end = measure_from + static_cast<std::uint64_t>(o.duration_s * 1e6);
  st.from_us = measure_from;
  st.to_us = end;
  // Open loop: the k-th send of the run is due at t0 + k / rate, round-robin over the senders.
  const double gap_us = 1e6 / o.rate;
  std::uint64_t k = 0;
  if (o.counted) st.budget = o.messages;
  if (o.closed) {
    for (auto i : senders) {
      for (std::uint32_t j = 0; j < o.inflight && st.budget > 0; ++j) {
        conns[i]->send(recipient_of(o, o.first + i, o.total), now_us());
      }
    }
  }
  std::uint64_t last_tick = 0;
  asio::steady_timer pacer(io);
  while (true) {
    const std::uint64_t now = now_us();
    if (!st.measuring && now >= measure_from) st.measuring = true;
    if (now >= end) break;
    if (st.disconnects >= o.connections) break;  // every connection is gone: nothing can happen
    if (o.counted && st.budget == 0) {
      std::size_t left = 0;
      for (const auto& c : conns) left += c->outstanding();
      if (left == 0 && st.delivered >= st.acked) break;
    }
    if (!o.closed && !senders.empty()) {
      for (;;) {
        const auto due = t0 + static_cast<std::uint64_t>(static_cast<double>(k) * gap_us);
        if (due > now) break;
        const std::uint32_t i = senders[k % senders.size()];
        if (st.in_window(due)) st.record(st.lag, now - due);
        conns[i]->send(recipient_of(o, o.first + i, o.total), due);
        ++k;
      }
    }
    if (now - last_tick > 10'000) {
      for (auto& c : conns) c->tick();
      last_tick = now;
    }
    // Sleep in the event loop until the next send is due (a timer: microsecond precision, where
    // run_for would round epoll's wait up to a whole millisecond), handling answers meanwhile.
    std::uint64_t wake = std::min(end, last_tick + 10'000);
    if (!o.closed && !senders.empty()) {
      wake = std::min(wake, t0 + static_cast<std::uint64_t>(static_cast<double>(k) * gap_us));
    }
    if (o.counted) wake = std::min(wake, now + 1'000);
    pacer.expires_at(std::chrono::steady_clock::time_point(std::chrono::microseconds(wake)));
    bool woke = false;
    pacer.async_wait([&woke](boost::system::error_code) { woke = true; });
    while (!woke) io.run_one();
  }
  st.measuring = false;
  // Drain (bounded): the window's messages are answered and delivered after it.
  const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (auto& c : conns) c->on_done = nullptr;  // closed loop: no new sends
  while (std::chrono::steady_clock::now() < drain_deadline) {
    std::size_t left = 0;
    for (const auto& c : conns) left += c->outstanding();
    const bool all_delivered = o.pattern == Pattern::kIdle || st.delivered >= st.acked;
    if ((left == 0 && all_delivered) || st.disconnects >= o.connections) break;
    io.run_for(std::chrono::milliseconds(10));
  }

  // --messages: the time from the first send to the last answer; complete when every message
  // was sent, answered and delivered inside the bound.
  const bool drained_all = o.counted && st.budget == 0 && st.acked + st.refused == o.messages &&
                           st.delivered >= st.acked;
  // (a process with no share of --messages measured nothing: 0, and the merge takes the longest)
  const double secs = !o.counted ? o.duration_s
                      : st.last_answer_us > t0 ? static_cast<double>(st.last_answer_us - t0) / 1e6
                                               : 0.0;
  Outcome out;
  out.st = st;
  out.ready = ready;
  out.drained = drained_all;
  out.secs = secs;
  return out;
}

int main(int argc, char** argv) {
  Options o;
  std::string targets, bind, pattern, mode, json_out, secret_file;
  po::options_description opts("iris-load options");
  opts.add_options()("help,h", "this help")(
      "target", po::value<std::string>(&targets)->default_value("127.0.0.1:7400"),
      "client listener(s) host:port[,host:port...]: connections are spread over them")(
      "connections", po::value<std::uint32_t>(&o.connections)->default_value(100),
      "client connections (one virtual user each; 1..19000 per process)")(
      "mode", po::value<std::string>(&mode)->default_value("open"), "open or closed loop")(
      "rate", po::value<double>(&o.rate)->default_value(10'000),
      "open loop: messages per second over all senders")(
      "inflight", po::value<std::uint32_t>(&o.inflight)->default_value(4),
      "closed loop: messages outstanding per sender")(
      "pattern", po::value<std::string>(&pattern)->default_value("pairs"),
      "pairs, hot, fanin or idle")(
      "duration", po::value<double>(&o.duration_s)->default_value(10), "seconds measured")(
      "messages", po::value<std::uint64_t>(&o.messages)->default_value(0),
      "closed loop: send exactly this many (no warm-up), then drain; the time runs from the "
      "first send to the last SEND_ACK or delivery (bounded by --duration)")(
      "warmup", po::value<double>(&o.warmup_s)->default_value(1), "seconds before measuring")(
      "connect-rate", po::value<double>(&o.connect_rate)->default_value(2000),
      "new connections per second while connecting (a node refuses floods: 5,000/s by default)")(
      "payload", po::value<std::size_t>(&o.payload)->default_value(64), "payload bytes (>= 24)")(
      "bind", po::value<std::string>(&bind)->default_value(""),
      "local source addresses, comma-separated (127.0.0.2,...): round-robin")(
      "token-secret-file", po::value<std::string>(&secret_file),
      "the nodes' login secret (mint tokens); without it users log in by id (--insecure-dev-login)")(
      "users-prefix", po::value<std::string>(&o.prefix)->default_value("load"),
      "user ids are PREFIX0, PREFIX1, ...")(
      "websocket", po::bool_switch(&o.websocket),
      "connect over WebSocket (the node's --ws-listen port; one binary message per batch of frames)")(
      "processes", po::value<std::uint32_t>(&o.processes)->default_value(1),
      "load processes (pairs and idle): each takes a block of the connections (up to 19,000 "
      "each) and its share of --rate and --messages; the results are merged")(
      "json", po::value<std::string>(&json_out), "write the results as JSON to this file (- : stdout)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "iris-load: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  for (std::size_t at = 0; at <= targets.size();) {
    const std::size_t comma = std::min(targets.find(',', at), targets.size());
    if (comma > at) {
      auto ep = iris::net::parse_endpoint(targets.substr(at, comma - at));
      if (!ep) {
        std::cerr << "iris-load: --target: " << ep.status().message() << "\n";
        return 2;
      }
      o.targets.push_back(*ep);
    }
    at = comma + 1;
  }
  for (std::size_t at = 0; at < bind.size();) {
    const std::size_t comma = std::min(bind.find(',', at), bind.size());
    boost::system::error_code ec;
    auto a = asio::ip::make_address(bind.substr(at, comma - at), ec);
    if (ec) {
      std::cerr << "iris-load: --bind: bad address\n";
      return 2;
    }
    o.bind.push_back(a);
    at = comma + 1;
  }
  if (secret_file.size()) {
    std::ifstream in(secret_file);
    if (!in || !std::getline(in, o.secret)) {
      std::cerr << "iris-load: cannot read " << secret_file << "\n";
      return 2;
    }
  }
  if (pattern == "pairs") o.pattern = Pattern::kPairs;
  else if (pattern == "hot") o.pattern = Pattern::kHot;
  else if (pattern == "fanin") o.pattern = Pattern::kFanIn;
  else if (pattern == "idle") o.pattern = Pattern::kIdle;
  else {
    std::cerr << "iris-load: --pattern: pairs, hot, fanin or idle\n";
    return 2;
  }
  if (mode != "open" && mode != "closed") {
    std::cerr << "iris-load: --mode: open or closed\n";
    return 2;
  }
  o.closed = mode == "closed";
  if (o.messages > 0 && (!o.closed || o.pattern == Pattern::kIdle)) {
    std::cerr << "iris-load: --messages needs --mode closed and a sending pattern\n";
    return 2;
  }
  if (o.messages > 0) o.warmup_s = 0;
  if (o.processes < 1 || o.processes > 64 ||
      (o.processes > 1 && o.pattern != Pattern::kPairs && o.pattern != Pattern::kIdle)) {
    std::cerr << "iris-load: --processes 1..64, and more than one only for pairs or idle "
                 "(a hot or fan-in recipient lives in one process)\n";
    return 2;
  }
  if (o.targets.empty() || o.connections < 1 || o.connections > 19'000 * o.processes || o.duration_s <= 0 ||
      o.duration_s > 3600 || o.rate <= 0 || o.connect_rate < 1) {
    std::cerr << "iris-load: need a target, 1..19000 connections per process, 0 < duration <= 3600, rate > 0\n";
    return 2;
  }
  o.payload = std::max<std::size_t>(o.payload, 24);
  o.total = o.connections;
  o.counted = o.messages > 0;

  Outcome outcome;
  if (o.processes <= 1) {
    outcome = run(o);
  } else {
    // Several processes, each a block of the connections (an even number: pairs stay together)
    // with its share of the rate and messages; the parent merges their counters and histograms.
    std::vector<pid_t> children;
    std::vector<std::string> files;
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0) {
      std::cerr << "iris-load: pipe failed\n";
      return 2;
    }
    const std::uint32_t per = ((o.connections + o.processes - 1) / o.processes + 1) & ~1u;
    // Blocks start at even indices, so a pair never spans two processes; a block's senders are
    // its connections rounded down to even (pairs) and none for idle. Messages and rate are
    // shared by senders, at integer boundaries so the shares add up to --messages exactly.
    std::vector<std::uint32_t> firsts, sizes;
    std::uint64_t total_senders = 0;
    for (std::uint32_t first = 0; first < o.connections && firsts.size() < o.processes; first += per) {
      firsts.push_back(first);
      sizes.push_back(std::min(per, o.connections - first));
      if (o.pattern == Pattern::kPairs) total_senders += sizes.back() & ~1u;
    }
    std::uint64_t senders_before = 0;
    for (std::size_t k = 0; k < firsts.size(); ++k) {
      Options c = o;
      c.first = firsts[k];
      c.connections = sizes[k];
      const std::uint64_t mine = o.pattern == Pattern::kPairs ? (sizes[k] & ~1u) : 0;
      const auto boundary = [&](std::uint64_t before) {
        return total_senders ? o.messages * before / total_senders : 0;
      };
      c.messages = boundary(senders_before + mine) - boundary(senders_before);
      c.rate = total_senders ? o.rate * static_cast<double>(mine) / static_cast<double>(total_senders)
                             : o.rate;
      if (c.rate <= 0) c.rate = 1;  // no senders here: the schedule is never used
      senders_before += mine;
      c.ready_fd = ready[1];
      c.go_fd = go[0];
      files.push_back("/tmp/iris-load-" + std::to_string(getpid()) + "-" + std::to_string(k) + ".json");
      std::fflush(nullptr);
      const pid_t pid = fork();
      if (pid == 0) {
        const Outcome r = run(c);
        std::ofstream f(files.back());
        f << json::serialize(to_wire(r));
        f.close();
        std::_Exit(f ? 0 : 3);
      }
      if (pid < 0) {
        std::cerr << "iris-load: fork failed\n";
        return 2;
      }
      children.push_back(pid);
    }
    // Start together: once every child has logged in (or given up: bounded like its own wait).
    const auto barrier_deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(45) +
        std::chrono::milliseconds(static_cast<std::int64_t>(1000.0 * o.connections / o.connect_rate));
    std::size_t arrived = 0;
    while (arrived < children.size() && std::chrono::steady_clock::now() < barrier_deadline) {
      pollfd p{ready[0], POLLIN, 0};
      if (poll(&p, 1, 100) == 1) {
        char b = 0;
        if (read(ready[0], &b, 1) == 1) ++arrived;
      }
    }
    for (std::size_t k = 0; k < children.size(); ++k) {
      const char b = 1;
      if (write(go[1], &b, 1) != 1) break;
    }
    outcome.drained = o.messages > 0;
    bool all_ok = true;
    for (std::size_t k = 0; k < children.size(); ++k) {
      int status = 0;
      waitpid(children[k], &status, 0);
      std::ifstream f(files[k]);
      std::stringstream ss;
      ss << f.rdbuf();
      boost::system::error_code ec;
      auto v = json::parse(ss.str(), ec);
      std::remove(files[k].c_str());
      if (ec || !v.is_object()) {
        all_ok = false;
        continue;
      }
      merge_wire(outcome, v.as_object());
    }
    if (!all_ok) {
      std::cerr << "iris-load: a load process failed\n";
      return 1;
    }
    if (o.messages > 0) {
      outcome.drained = outcome.drained && outcome.st.acked + outcome.st.refused == o.messages &&
                        outcome.st.delivered >= outcome.st.acked;
    }
  }
  const Stats& st = outcome.st;
  const std::uint32_t ready = outcome.ready;
  const bool drained_all = outcome.drained;
  const double secs = outcome.secs > 0 ? outcome.secs : o.duration_s;
  json::object result{
      {"mode", o.closed ? "closed" : "open"},
      {"pattern", pattern},
      {"connections", o.connections},
      {"logged_in", ready},
      {"offered_per_s", o.closed ? 0.0 : o.rate},
      {"duration_s", secs},
      {"messages", o.messages},
      {"drained", drained_all},
      {"sent", st.sent},
      {"acked", st.acked},
      {"delivered", st.delivered},
      {"refused", st.refused},
      {"client_queue_full", st.send_full},
      {"disconnects", st.disconnects},
      {"sent_per_s", static_cast<double>(st.sent) / secs},
      {"acked_per_s", static_cast<double>(st.acked) / secs},
      {"delivered_per_s", static_cast<double>(st.delivered) / secs},
      {"ack_latency_ms", percentiles(st.ack)},
      {"delivery_latency_ms", percentiles(st.deliver)},
      {"send_lag_ms", percentiles(st.lag)}};
  std::printf("iris-load: %s loop, %s, %u connections (%u logged in), %.3f s measured%s\n",
              o.closed ? "closed" : "open", pattern.c_str(), o.connections, ready, secs,
              o.messages == 0 ? "" : drained_all ? " (all messages drained)" : " (NOT drained)");
  std::printf("  sent %llu (%.0f/s)  acked %llu (%.0f/s)  delivered %llu (%.0f/s)  refused %llu  "
              "client queue full %llu  disconnects %llu\n",
              static_cast<unsigned long long>(st.sent), static_cast<double>(st.sent) / secs,
              static_cast<unsigned long long>(st.acked), static_cast<double>(st.acked) / secs,
              static_cast<unsigned long long>(st.delivered), static_cast<double>(st.delivered) / secs,
              static_cast<unsigned long long>(st.refused), static_cast<unsigned long long>(st.send_full),
              static_cast<unsigned long long>(st.disconnects));
  for (auto [name, h] : {std::pair{"send -> SEND_ACK", &st.ack}, {"send -> delivery", &st.deliver},
                         {"generator lag", &st.lag}}) {
    if (h == &st.lag && o.closed) continue;
    std::printf("  %-17s p50 %.3f ms  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%llu)\n", name,
                static_cast<double>(h->quantile(0.5)) / 1000, static_cast<double>(h->quantile(0.9)) / 1000,
                static_cast<double>(h->quantile(0.99)) / 1000, static_cast<double>(h->quantile(0.999)) / 1000,
                static_cast<double>(h->max) / 1000, static_cast<unsigned long long>(h->total));
  }
  if (!json_out.empty()) {
    const std::string text = json::serialize(result) + "\n";
    if (json_out == "-") {
      std::fputs(text.c_str(), stdout);
    } else {
      std::ofstream f(json_out);
      f << text;
      if (!f) {
        std::cerr << "iris-load: cannot write " << json_out << "\n";
        return 2;
      }
    }
  }
  if (o.messages > 0 && !drained_all) return 1;
  return ready == o.connections ? 0 : 1;
}
