#pragma once
// A real iris-node process over real loopback sockets: the C++ Client over TCP and WebSocket (and
// the test's own WebSocket driver), raw Boost.Asio sockets (TLS, hand-made frames, garbage),
// SIGTERM / SIGKILL / restart on the same data dir, and the node's RSS. tst_shard covers the core's
// logic in-process; here every check is about what crosses a socket or survives a process boundary.
//
// This header is the support shared by tst_node_messaging and tst_node_resilience; each test
// executable includes it from exactly one file.

#include <QtTest>
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "engine/auth/token.h"
#include "engine/client/client.h"
#include "engine/protocol/codec.h"
#include "engine/store/sqlite_store.h"
#include "node_process.h"

using namespace iris;
using namespace std::chrono_literals;
using client::Client;
using client::Transport;
using protocol::SendStatus;
using test::NodeProcess;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace node_test {

// ---------------------------------------------------------------------------------------------
// Clients

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}
std::uint64_t wall_s() {
  return wall_ms() / 1000;
}
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::uint64_t wall_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// What the tests need of a client connection: iris::client::Client, or the test's own WebSocket
// driver below. Same names and meaning as Client's members.
class Conn {
 public:
  virtual ~Conn() = default;
  virtual std::uint64_t send(std::string_view recipient, std::string_view payload) = 0;
  virtual client::ClientCore& core() = 0;
  virtual void pump(std::chrono::milliseconds duration) = 0;
  virtual std::vector<client::ClientEvent>& events() = 0;
  virtual bool connected() const = 0;
  virtual void close() = 0;
  virtual void write_raw(std::span<const std::uint8_t> bytes) = 0;
  virtual std::string last_error() const = 0;
};

class LibConn final : public Conn {
 public:
  explicit LibConn(std::unique_ptr<Client> c) : c_(std::move(c)) {}
  std::uint64_t send(std::string_view r, std::string_view p) override { return c_->send(r, p); }
  client::ClientCore& core() override { return c_->core(); }
  void pump(std::chrono::milliseconds d) override { c_->pump(d); }
  std::vector<client::ClientEvent>& events() override { return c_->events(); }
  bool connected() const override { return c_->connected(); }
  void close() override { c_->close(); }
  void write_raw(std::span<const std::uint8_t> b) override { c_->write_raw(b); }
  std::string last_error() const override { return c_->last_error(); }
  Client& client() { return *c_; }  // reconnect() keeps its ClientCore

 private:
  std::unique_ptr<Client> c_;
};

// The test's own WebSocket driver of a ClientCore (Beast, bounded run_for), independent of
// client.cpp's WebSocket path: it checks the node's WebSocket listener on its own. Each received
// WS message is copied out and consumed *before* the next read is started.
class TestWsConn final : public Conn {
 public:
  static std::unique_ptr<TestWsConn> connect(std::uint16_t port, client::ClientOptions o,
                                             std::chrono::milliseconds timeout, std::string& err) {
    auto c = std::unique_ptr<TestWsConn>(new TestWsConn(std::move(o)));
    boost::system::error_code ec;
    bool finished = false;
    beast::get_lowest_layer(c->ws_).async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
        [&](boost::system::error_code e) {
          ec = e;
          finished = true;
        });
    c->run_until([&] { return finished; }, timeout);
    if (!finished || ec) {
      err = "ws connect: " + (ec ? ec.message() : std::string("timeout"));
      return nullptr;
    }
    finished = false;
    c->ws_.binary(true);
    c->ws_.async_handshake("127.0.0.1:" + std::to_string(port), "/",
                           [&](boost::system::error_code e) {
                             ec = e;
                             finished = true;
                           });
    c->run_until([&] { return finished; }, timeout);
    if (!finished || ec) {
      err = "ws handshake: " + (ec ? ec.message() : std::string("timeout"));
      return nullptr;
    }
    c->open_ = true;
    c->core_->on_connected(wall_us());
    c->flush();
    c->start_read();
    c->run_until([&] { return c->core_->logged_in() || !c->open_ || !c->server_error_.empty(); },
                 timeout);
    if (!c->core_->logged_in()) {
      err = !c->server_error_.empty() ? c->server_error_
            : !c->last_error_.empty() ? c->last_error_
                                      : "login timed out";
      return nullptr;
    }
    return c;
  }

  std::uint64_t send(std::string_view r, std::string_view p) override {
    auto id = core_->send(r, p, wall_us());
    flush();
    return id;
  }
  client::ClientCore& core() override { return *core_; }
  void pump(std::chrono::milliseconds d) override {
    auto deadline = Clock::now() + d;
    do {
      io_.restart();
      io_.run_for(std::min<Clock::duration>(deadline - Clock::now(), 1ms));
      core_->on_tick(wall_us());
      flush();
    } while (Clock::now() < deadline && (open_ || reading_ || writing_));
  }
  std::vector<client::ClientEvent>& events() override { return events_; }
  bool connected() const override { return open_; }
  void close() override {
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    open_ = false;
    io_.restart();
    io_.poll();
    core_->on_disconnected();
  }
  void write_raw(std::span<const std::uint8_t> bytes) override {
    boost::system::error_code ec;
    ws_.write(asio::buffer(bytes.data(), bytes.size()), ec);
  }
  std::string last_error() const override {
    return server_error_.empty() ? last_error_ : server_error_;
  }

 private:
  explicit TestWsConn(client::ClientOptions o)
      : ws_(io_), core_(std::make_unique<client::ClientCore>(std::move(o), wall_us())) {}

  void run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!done() && Clock::now() < deadline) {
      io_.restart();
      io_.run_for(std::min<Clock::duration>(deadline - Clock::now(), 5ms));
      core_->on_tick(wall_us());
      flush();
    }
  }
  void start_read() {
    if (reading_ || !open_) return;
    reading_ = true;
    ws_.async_read(rbuf_, [this](boost::system::error_code ec, std::size_t) {
      reading_ = false;
      if (ec) {
        open_ = false;
        last_error_ = ec == beast::websocket::error::closed || ec == asio::error::eof
                          ? "connection closed by the node"
                          : ec.message();
        core_->on_disconnected();
        return;
      }
      std::string data = beast::buffers_to_string(rbuf_.cdata());
      rbuf_.consume(rbuf_.size());
      core_->on_bytes({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}, wall_us());
      for (auto& e : core_->take_events()) {
        if (auto* err = std::get_if<client::ServerError>(&e)) server_error_ = err->text;
        events_.push_back(std::move(e));
      }
      flush();
      start_read();
    });
  }
  void flush() {
    auto out = core_->take_output();
    queued_.insert(queued_.end(), out.begin(), out.end());
    if (writing_ || queued_.empty() || !open_) return;
    inflight_.swap(queued_);
    queued_.clear();
    writing_ = true;
    ws_.async_write(asio::buffer(inflight_), [this](boost::system::error_code ec, std::size_t) {
      writing_ = false;
      inflight_.clear();
      if (ec) {
        open_ = false;
        last_error_ = ec.message();
        return;
      }
      flush();
    });
  }

  asio::io_context io_;
  beast::websocket::stream<beast::tcp_stream> ws_;
  std::unique_ptr<client::ClientCore> core_;
  beast::flat_buffer rbuf_;
  protocol::Bytes queued_, inflight_;
  std::vector<client::ClientEvent> events_;
  bool open_ = false, reading_ = false, writing_ = false;
  std::string last_error_, server_error_;
};

// A logged-in client plus everything it has surfaced, sorted by kind, in arrival order.
struct Peer {
  std::unique_ptr<Conn> c;
  std::vector<client::Delivered> got;
  std::vector<Clock::time_point> got_at;
  std::vector<client::SendDone> done;
  std::vector<client::PresenceChanged> presence;
  std::vector<Clock::time_point> presence_at;
  std::vector<client::ServerBye> byes;
  std::vector<client::ServerError> errors;
  std::set<std::uint64_t> pongs;
  std::vector<std::string> failures;  // the client could not decode what the node sent

  void drain() {
    auto now = Clock::now();
    for (auto& e : c->events()) {
      if (auto* d = std::get_if<client::Delivered>(&e)) {
        got.push_back(std::move(*d));
        got_at.push_back(now);
      } else if (auto* s = std::get_if<client::SendDone>(&e)) {
        done.push_back(*s);
      } else if (auto* p = std::get_if<client::PresenceChanged>(&e)) {
        presence.push_back(std::move(*p));
        presence_at.push_back(now);
      } else if (auto* b = std::get_if<client::ServerBye>(&e)) {
        byes.push_back(std::move(*b));
      } else if (auto* er = std::get_if<client::ServerError>(&e)) {
        errors.push_back(std::move(*er));
      } else if (auto* pong = std::get_if<client::PongReceived>(&e)) {
        pongs.insert(pong->nonce);
      } else if (auto* f = std::get_if<client::ProtocolFailure>(&e)) {
        failures.push_back(f->what);
      }
    }
    c->events().clear();
  }
  std::size_t ok_count() const {
    return static_cast<std::size_t>(std::count_if(
        done.begin(), done.end(), [](const auto& d) { return d.status == SendStatus::kOk; }));
  }
};

enum class WsDriver { kIrisClient, kTestDriver };  // who speaks WebSocket for kWebSocket peers

struct LoginOptions {
  LoginOptions(Transport t = Transport::kTcp, bool ack = true,
               std::size_t pending = 4096,  // NOLINT
               WsDriver d = WsDriver::kIrisClient)
      : transport(t), auto_ack(ack), max_pending(pending), ws_driver(d) {}
  Transport transport;
  bool auto_ack;
  std::size_t max_pending;
  WsDriver ws_driver;
};

QString g_login_error;

std::unique_ptr<Peer> login(NodeProcess& node, const std::string& user, LoginOptions o = {}) {
  client::ClientOptions co;
  co.token = node.token(user);
  co.auto_ack = o.auto_ack;
  co.max_pending_sends = o.max_pending;
  co.client_name = "tst_node";
  std::uint16_t port = o.transport == Transport::kTcp ? node.tcp_port() : node.ws_port();
  auto p = std::make_unique<Peer>();
  if (o.transport == Transport::kWebSocket && o.ws_driver == WsDriver::kTestDriver) {
    std::string err;
    p->c = TestWsConn::connect(port, co, 5s, err);
    if (!p->c) {
      g_login_error = QString::fromStdString(user + " (test WS driver): " + err);
      return nullptr;
    }
  } else {
    auto r = Client::connect("127.0.0.1", port, co, o.transport, 5s);
    if (!r) {
      g_login_error = QString::fromStdString(user + ": " + r.status().message());
      return nullptr;
    }
    p->c = std::make_unique<LibConn>(std::move(*r));
  }
  p->drain();
  return p;
}

#define LOGIN(var, ...)          \
  auto var = login(__VA_ARGS__); \
  QVERIFY2(var != nullptr, qPrintable(g_login_error))

// Runs every peer's I/O in turn (about 1 ms each) until done() or the timeout.
bool pump(const std::vector<Peer*>& peers, const std::function<bool()>& done,
          std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    for (Peer* p : peers) p->drain();
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    bool any_open = false;
    for (Peer* p : peers) {
      if (p->c->connected()) {
        any_open = true;
        p->c->pump(1ms);
      }
    }
    if (!any_open) std::this_thread::sleep_for(1ms);
  }
}
void pump_for(const std::vector<Peer*>& peers, std::chrono::milliseconds d) {
  pump(
      peers, [] { return false; }, d);
}

// PING and wait for its PONG: every frame written before it has been handled by the node.
bool sync(Peer& p, std::uint64_t nonce, std::chrono::milliseconds timeout = 5s) {
  p.c->core().ping(nonce);
  return pump(
      {&p}, [&] { return p.pongs.count(nonce) > 0; }, timeout);
}

// ACK by hand (auto_ack off): ACK frames of up to 256 ids, written raw.
void ack(Peer& p, const std::vector<std::uint64_t>& ids) {
  protocol::Bytes out;
  for (std::size_t i = 0; i < ids.size(); i += protocol::kMaxAckIds) {
    std::size_t n = std::min<std::size_t>(protocol::kMaxAckIds, ids.size() - i);
    protocol::encode_ack(out, {ids.data() + i, n});
  }
  if (!out.empty()) p.c->write_raw(out);
}

std::vector<std::string> payloads(const std::vector<client::Delivered>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.payload);
  return out;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// A payload of exactly `size` bytes that encodes its index (checkable without keeping it).
std::string big_payload(std::size_t index, std::size_t size) {
  std::string s = std::to_string(index);
  s.resize(std::max<std::size_t>(size, 12), ' ');
  s[10] = '|';
  for (std::size_t i = 11; i < s.size(); ++i) s[i] = static_cast<char>('a' + (index + i) % 26);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Raw sockets (plain TCP or TLS), every operation bounded by io_context::run_for.

struct OwnedFrame {
  protocol::FrameType type{};
  protocol::Bytes body;
  Result<protocol::ServerFrame> decode() const {
    return protocol::decode_server(protocol::FrameView{type, body});
  }
};

class RawConn {
 public:
  explicit RawConn(asio::ssl::context* tls = nullptr) : tcp_(io_) {
    if (tls) tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io_, *tls);
  }

  asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : tcp_; }

  // Connects (and handshakes, for TLS). rcvbuf > 0 shrinks the receive buffer first.
  bool connect(std::uint16_t port, int rcvbuf = 0, std::chrono::milliseconds timeout = 5s) {
    boost::system::error_code ec;
    socket().open(asio::ip::tcp::v4(), ec);
    if (rcvbuf > 0) socket().set_option(asio::socket_base::receive_buffer_size(rcvbuf), ec);
    bool finished = false;
    socket().async_connect({asio::ip::make_address("127.0.0.1"), port},
                           [&](boost::system::error_code e) {
                             ec = e;
                             finished = true;
                           });
    if (!run_until([&] { return finished; }, timeout) || ec) {
      error_ = "connect: " + (ec ? ec.message() : std::string("timeout"));
      return false;
    }
    if (!tls_) return true;
    finished = false;
    tls_->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) {
      ec = e;
      finished = true;
    });
    if (!run_until([&] { return finished; }, timeout) || ec) {
      error_ = "TLS handshake: " + (ec ? ec.message() : std::string("timeout"));
      return false;
    }
    return true;
  }

  // Writes everything (bounded); false on error or timeout.
  bool write(const protocol::Bytes& bytes, std::chrono::milliseconds timeout = 5s) {
    start_write(bytes);
    if (!run_until([&] { return !writing_; }, timeout)) {
      error_ = "write timeout";
      return false;
    }
    return !write_error_;
  }
  // Starts a write that may never finish (the peer may stop reading or close): see writing().
  void start_write(protocol::Bytes bytes) {
    wbuf_ = std::move(bytes);
    writing_ = true;
    auto done = [this](boost::system::error_code ec, std::size_t n) {
      writing_ = false;
      written_ += n;
      write_error_ = ec;
    };
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(wbuf_), done);
    } else {
      asio::async_write(tcp_, asio::buffer(wbuf_), done);
    }
  }
  bool writing() const { return writing_; }
  std::size_t written() const { return written_; }

  // Reads until stop() holds on the bytes received so far, EOF/error, or the timeout. No read is
  // left pending once stop() holds, so a caller can then leave the socket unread.
  bool read_until(const std::function<bool()>& stop, std::chrono::milliseconds timeout) {
    stop_ = stop;
    start_read();
    bool ok = run_until([&] { return stop() || closed_; }, timeout);
    return ok && stop();
  }
  bool read_to_eof(std::chrono::milliseconds timeout) {
    return read_until([] { return false; }, timeout) || closed_;
  }
  // Runs pending I/O for a short while (a concurrent write and read).
  void poll_for(std::chrono::milliseconds d) {
    if (!stop_) stop_ = [] { return false; };
    start_read();
    io_.restart();
    io_.run_for(d);
  }

  bool closed() const { return closed_; }  // EOF or a read error
  const std::string& close_reason() const { return close_reason_; }
  const std::string& error() const { return error_; }
  std::size_t bytes_read() const { return rbuf_.size(); }

  // Whole frames received so far; `tail_ok` false when the bytes do not split into frames.
  std::vector<OwnedFrame> frames(bool* tail_ok = nullptr) const {
    std::vector<OwnedFrame> out;
    std::span<const std::uint8_t> in(rbuf_);
    while (!in.empty()) {
      auto r = protocol::split_frame(in);
      if (r.status != protocol::SplitStatus::kFrame) break;
      out.push_back({r.frame.type, {r.frame.body.begin(), r.frame.body.end()}});
      in = in.subspan(r.consumed);
    }
    if (tail_ok) *tail_ok = in.empty();  // false: a partial or unframeable tail
    return out;
  }

  void close() {
    boost::system::error_code ec;
    socket().close(ec);
  }

 private:
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!done()) {
      auto now = Clock::now();
      if (now >= deadline) return false;
      io_.restart();
      io_.run_for(std::min<Clock::duration>(deadline - now, 5ms));
    }
    return true;
  }
  void start_read() {
    if (reading_ || closed_ || (stop_ && stop_())) return;
    reading_ = true;
    auto done = [this](boost::system::error_code ec, std::size_t n) {
      reading_ = false;
      rbuf_.insert(rbuf_.end(), chunk_.begin(), chunk_.begin() + static_cast<std::ptrdiff_t>(n));
      if (ec) {
        closed_ = true;
        close_reason_ = ec == asio::error::eof ? "eof" : ec.message();
        return;
      }
      start_read();
    };
    if (tls_) {
      tls_->async_read_some(asio::buffer(chunk_), done);
    } else {
      tcp_.async_read_some(asio::buffer(chunk_), done);
    }
  }

  asio::io_context io_;
  asio::ip::tcp::socket tcp_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  std::array<std::uint8_t, 16 * 1024> chunk_{};
  protocol::Bytes rbuf_, wbuf_;
  std::function<bool()> stop_;
  bool reading_ = false, writing_ = false, closed_ = false;
  boost::system::error_code write_error_;
  std::size_t written_ = 0;
  std::string close_reason_, error_;
};

protocol::Bytes hello_login(const std::string& token) {
  protocol::Bytes out;
  protocol::encode(out, protocol::Hello{protocol::kProtocolVersion, "raw"});
  protocol::encode(out, protocol::Login{token});
  return out;
}

template <typename T>
const T* as(const Result<protocol::ServerFrame>& f) {
  return f ? std::get_if<T>(&f.value()) : nullptr;
}

// ---------------------------------------------------------------------------------------------
// Store inspection (node stopped): the rows of one recipient, through SqliteStore.

Result<std::vector<store::StoredMessage>> inbox_rows(const QString& data_dir,
                                                     const std::string& recipient) {
  store::SqliteStoreOptions o;
  o.path = QDir(data_dir).filePath("inbox.db").toStdString();
  auto st = store::SqliteStore::open(o);
  if (!st) return st.status();
  std::promise<Result<std::vector<store::StoredMessage>>> p;
  auto f = p.get_future();
  (*st)->load_inbox(recipient, 0, 1'000'000, [&p](Result<std::vector<store::StoredMessage>> r) {
    p.set_value(std::move(r));
  });
  if (f.wait_for(10s) != std::future_status::ready) return Status::unavailable("load timed out");
  return f.get();
}

std::size_t open_sockets(qint64 pid) {
  QDir fds(QString("/proc/%1/fd").arg(pid));
  std::size_t n = 0;
  for (const QFileInfo& fi : fds.entryInfoList(QDir::System | QDir::NoDotAndDotDot)) {
    if (fi.symLinkTarget().contains("socket:")) ++n;
  }
  return n;
}

}  // namespace node_test

using namespace node_test;  // NOLINT: test-only header

Q_DECLARE_METATYPE(iris::client::Transport)
