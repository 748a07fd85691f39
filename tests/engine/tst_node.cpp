// A real iris-node process over real loopback sockets: the C++ Client over TCP and WebSocket (and
// the test's own WebSocket driver), raw Boost.Asio sockets (TLS, hand-made frames, garbage),
// SIGTERM / SIGKILL / restart on the same data dir, and the node's RSS. tst_shard covers the core's
// logic in-process; here every check is about what crosses a socket or survives a process boundary.

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

namespace {

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

}  // namespace

Q_DECLARE_METATYPE(iris::client::Transport)
Q_DECLARE_METATYPE(WsDriver)

class TestNode : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void onlineMessagingTcp_data();
  void onlineMessagingTcp();
  void offlineStorageIdenticalPayloads();
  void deleteAfterRead();
  void presenceOverSockets();
  void webSocketEssentials_data();
  void webSocketEssentials();
  void tlsHelloAndLogin();
  void tlsListenWithoutCertFails_data();
  void tlsListenWithoutCertFails();
  void hotRecipientFanIn_data();
  void hotRecipientFanIn();
  void slowConsumerBoundedMemory();
  void restartKeepsEveryAckedMessage();
  void wrongTokenRefused_data();
  void wrongTokenRefused();
  void garbageFlood();
  void sigtermDrain_data();
  void sigtermDrain();
};

void TestNode::initTestCase() {
  QVERIFY2(QFileInfo(NodeProcess::binary()).isExecutable(),
           qPrintable("iris-node not found at " + NodeProcess::binary()));
}

// ---------------------------------------------------------------------------------------------
// F1: two users online over TCP, N messages each way.

void TestNode::onlineMessagingTcp_data() {
  QTest::addColumn<int>("count");
  QTest::addColumn<int>("size");
  QTest::newRow("1 msg") << 1 << 16;
  QTest::newRow("300 small msgs") << 300 << 100;
  QTest::newRow("60 msgs of 60 KiB") << 60 << 60 * 1024;
}

void TestNode::onlineMessagingTcp() {
  QFETCH(int, count);
  QFETCH(int, size);
  const auto n = static_cast<std::size_t>(count);
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  LOGIN(bob, node, "bob");
  std::uint64_t t_start_us = wall_ms() * 1000;

  struct Direction {
    Peer* from;
    Peer* to;
    std::string from_id;
    std::map<std::uint64_t, std::string> sent;  // client msg id -> payload
    std::vector<std::string> order;
    std::map<std::string, Clock::time_point> sent_at;
  };
  Direction dirs[2] = {{alice.get(), bob.get(), "alice", {}, {}, {}},
                       {bob.get(), alice.get(), "bob", {}, {}, {}}};
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& d : dirs) {
      std::string p = d.from_id + "#" + std::to_string(i) + "#";
      const auto want_size = static_cast<std::size_t>(size);
      if (p.size() < want_size)
        p += std::string(want_size - p.size(), static_cast<char>('a' + i % 26));
      auto id = d.from->c->send(d.from_id == "alice" ? "bob" : "alice", p);
      QVERIFY(id != 0);
      d.sent[id] = p;
      d.order.push_back(p);
      d.sent_at[p] = Clock::now();
    }
  }
  bool all = pump(
      {alice.get(), bob.get()},
      [&] {
        return alice->got.size() >= n && bob->got.size() >= n && alice->done.size() >= n &&
               bob->done.size() >= n;
      },
      20s);
  pump_for({alice.get(), bob.get()}, 100ms);  // anything extra would show up now
  QVERIFY2(all, qPrintable(QString("alice got %1, bob got %2, acks %3/%4")
                               .arg(alice->got.size())
                               .arg(bob->got.size())
                               .arg(alice->done.size())
                               .arg(bob->done.size())));
  std::vector<double> latency_ms;
  for (auto& d : dirs) {
    QCOMPARE(d.to->got.size(), n);                                     // once: no loss, no extra
    QCOMPARE(d.to->c->core().duplicates_dropped(), std::uint64_t{0});  // not even a redelivery
    QCOMPARE(payloads(d.to->got), d.order);                            // intact and in order
    std::set<std::uint64_t> ids;
    std::map<std::string, std::uint64_t> delivered_id;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& g = d.to->got[i];
      QCOMPARE(g.sender, d.from_id);
      QVERIFY(g.server_msg_id != 0);
      QVERIFY(g.server_ts_us + 1'000'000 >= t_start_us &&
              g.server_ts_us <= wall_ms() * 1000 + 1'000'000);
      ids.insert(g.server_msg_id);
      delivered_id[g.payload] = g.server_msg_id;
      latency_ms.push_back(
          std::chrono::duration<double, std::milli>(d.to->got_at[i] - d.sent_at[g.payload])
              .count());
    }
    QCOMPARE(ids.size(), n);
    QCOMPARE(d.from->done.size(), n);
    for (const auto& done : d.from->done) {
      QCOMPARE(done.status, SendStatus::kOk);
      QVERIFY(d.sent.count(done.client_msg_id));
      QCOMPARE(done.server_msg_id,
               delivered_id[d.sent[done.client_msg_id]]);  // SEND_ACK id == DELIVER id
    }
  }
  // One message at a time: the unloaded round trip sender -> node -> recipient.
  std::vector<double> single_ms;
  for (int i = 0; i < 20; ++i) {
    std::size_t before = bob->got.size();
    auto t0 = Clock::now();
    QVERIFY(alice->c->send("bob", "ping-" + std::to_string(i)) != 0);
    QVERIFY(pump(
        {alice.get(), bob.get()}, [&] { return bob->got.size() > before; }, 5s));
    single_ms.push_back(ms_since(t0));
  }
  qInfo(
      "F1 %d x %d B each way: burst delivery latency p50 %.2f ms, p99 %.2f ms; single message "
      "p50 %.2f ms, max %.2f ms",
      count, size, percentile(latency_ms, 0.5), percentile(latency_ms, 0.99),
      percentile(single_ms, 0.5), percentile(single_ms, 1.0));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// F2: recipient offline; 500 messages, most payloads identical; all delivered once, in order.

void TestNode::offlineStorageIdenticalPayloads() {
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  const std::size_t n = 500;
  std::vector<std::string> want;
  std::map<std::uint64_t, std::size_t> index_of;  // client msg id -> index
  for (std::size_t i = 0; i < n; ++i) {
    want.push_back(i % 3 == 0   ? "same"
                   : i % 3 == 1 ? "same-" + std::string(200, 'z')
                                : "m" + std::to_string(i));
    auto id = alice->c->send("bob", want.back());
    QVERIFY(id != 0);
    index_of[id] = i;
  }
  QVERIFY2(pump(
               {alice.get()}, [&] { return alice->done.size() >= n; }, 20s),
           qPrintable(QString("%1 SEND_ACKs").arg(alice->done.size())));
  QCOMPARE(alice->ok_count(), n);  // durable: the recipient was never online
  auto t0 = Clock::now();
  LOGIN(bob, node, "bob");
  QVERIFY2(pump(
               {bob.get()}, [&] { return bob->got.size() >= n; }, 20s),
           qPrintable(QString("bob got %1").arg(bob->got.size())));
  double drain_ms = ms_since(t0);
  pump_for({bob.get()}, 200ms);
  QCOMPARE(bob->got.size(), n);
  QCOMPARE(bob->c->core().duplicates_dropped(), std::uint64_t{0});
  QCOMPARE(payloads(bob->got), want);  // in order, none merged, none dropped
  std::vector<std::uint64_t> server_id(n, 0);
  for (const auto& d : alice->done) server_id[index_of[d.client_msg_id]] = d.server_msg_id;
  for (std::size_t i = 0; i < n; ++i) {
    QCOMPARE(bob->got[i].sender, std::string("alice"));
    QCOMPARE(bob->got[i].server_msg_id, server_id[i]);
    if (i > 0) QVERIFY(bob->got[i].server_msg_id > bob->got[i - 1].server_msg_id);
  }
  qInfo("F2 offline inbox of %zu: login + full delivery in %.1f ms", n, drain_ms);
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// F3: delete-after-read. Only unacked messages come back; the store agrees; all acked -> nothing.

void TestNode::deleteAfterRead() {
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  const std::size_t n = 300;  // more than the 256-message ACK window
  std::vector<std::string> want;
  for (std::size_t i = 0; i < n; ++i) {
    want.push_back(i % 2 ? "dup" : "d" + std::to_string(i));
    QVERIFY(alice->c->send("bob", want.back()) != 0);
  }
  QVERIFY(pump(
      {alice.get()}, [&] { return alice->done.size() >= n; }, 20s));
  QCOMPARE(alice->ok_count(), n);

  // bob #1 acks every message whose index is not a multiple of 3, as they arrive.
  LOGIN(bob1, node, "bob", {Transport::kTcp, /*auto_ack=*/false});
  std::vector<std::uint64_t> unacked_ids;
  std::vector<std::string> unacked_payloads;
  std::size_t handled = 0;
  bool all = pump(
      {bob1.get()},
      [&] {
        std::vector<std::uint64_t> to_ack;
        for (; handled < bob1->got.size(); ++handled) {
          if (handled % 3 == 0) {
            unacked_ids.push_back(bob1->got[handled].server_msg_id);
            unacked_payloads.push_back(bob1->got[handled].payload);
          } else {
            to_ack.push_back(bob1->got[handled].server_msg_id);
          }
        }
        ack(*bob1, to_ack);
        return bob1->got.size() >= n;
      },
      20s);
  QVERIFY2(all, qPrintable(QString("bob#1 got %1 of %2 (window never reopened by ACKs?)")
                               .arg(bob1->got.size())
                               .arg(n)));
  QVERIFY(sync(*bob1, 1));  // the node has handled every ACK
  pump_for({bob1.get()}, 50ms);
  QCOMPARE(bob1->got.size(), n);
  QCOMPARE(payloads(bob1->got), want);
  bob1->c->close();  // abrupt: no BYE

  // bob #2: exactly the unacked ones, in order, with their original ids.
  LOGIN(bob2, node, "bob", {Transport::kTcp, /*auto_ack=*/false});
  pump(
      {bob2.get()}, [&] { return bob2->got.size() >= unacked_ids.size(); }, 10s);
  pump_for({bob2.get()}, 200ms);
  QCOMPARE(payloads(bob2->got), unacked_payloads);
  for (std::size_t i = 0; i < bob2->got.size(); ++i) {
    QCOMPARE(bob2->got[i].server_msg_id, unacked_ids[i]);
  }

  // Stopped before the rest is acked: the store holds exactly the unacked rows.
  QCOMPARE(node.stop(), 0);
  {
    auto rows = inbox_rows(node.data_dir(), "bob");
    QVERIFY2(rows, rows ? "" : rows.status().to_string().c_str());
    QCOMPARE(rows->size(), unacked_ids.size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
      QCOMPARE((*rows)[i].id, unacked_ids[i]);
      QCOMPARE((*rows)[i].payload, unacked_payloads[i]);
      QCOMPARE((*rows)[i].sender, std::string("alice"));
    }
  }

  // Restart on the same data: redelivered again, now acked; a later login gets nothing.
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(bob3, node, "bob");
  pump(
      {bob3.get()}, [&] { return bob3->got.size() >= unacked_ids.size(); }, 10s);
  QCOMPARE(payloads(bob3->got), unacked_payloads);
  QVERIFY(sync(*bob3, 2));  // its automatic ACKs went out before the PING
  bob3->c->close();
  LOGIN(bob4, node, "bob");
  pump_for({bob4.get()}, 300ms);
  QCOMPARE(bob4->got.size(), std::size_t{0});
  QCOMPARE(node.stop(), 0);
  auto rows = inbox_rows(node.data_dir(), "bob");
  QVERIFY(rows);
  QCOMPARE(rows->size(), std::size_t{0});
}

// ---------------------------------------------------------------------------------------------
// F4: presence across sockets and a restart.

void TestNode::presenceOverSockets() {
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  alice->c->core().subscribe("bob");
  QVERIFY(pump(
      {alice.get()}, [&] { return !alice->presence.empty(); }, 5s));
  QCOMPARE(alice->presence[0].user, std::string("bob"));
  QCOMPARE(alice->presence[0].state, protocol::PresenceState::kOffline);
  QCOMPARE(alice->presence[0].last_seen_ms, std::uint64_t{0});  // never seen

  auto t_login = Clock::now();
  LOGIN(bob, node, "bob");
  auto t_logged_in = Clock::now();
  QVERIFY2(pump(
               {alice.get(), bob.get()}, [&] { return alice->presence.size() >= 2; }, 3s),
           "no online notice within 3 s");
  QCOMPARE(alice->presence[1].state, protocol::PresenceState::kOnline);
  double online_ms =
      std::chrono::duration<double, std::milli>(alice->presence_at[1] - t_logged_in).count();
  double online_from_connect_ms =
      std::chrono::duration<double, std::milli>(alice->presence_at[1] - t_login).count();

  pump_for({alice.get(), bob.get()}, 30ms);  // past the 20 ms coalescing window
  std::uint64_t before_ms = wall_ms();
  auto t_close = Clock::now();
  bob->c->close();
  QVERIFY2(pump(
               {alice.get()}, [&] { return alice->presence.size() >= 3; }, 3s),
           "no offline notice within 3 s");
  std::uint64_t after_ms = wall_ms();
  const auto& off = alice->presence[2];
  QCOMPARE(off.state, protocol::PresenceState::kOffline);
  QVERIFY2(off.last_seen_ms >= before_ms && off.last_seen_ms <= after_ms,
           qPrintable(QString("last_seen %1 not in [%2, %3]")
                          .arg(off.last_seen_ms)
                          .arg(before_ms)
                          .arg(after_ms)));
  double offline_ms =
      std::chrono::duration<double, std::milli>(alice->presence_at[2] - t_close).count();
  const std::uint64_t last_seen = off.last_seen_ms;
  qInfo(
      "F4 presence notify latency: online %.2f ms after LOGIN_OK (%.2f ms after connect), "
      "offline %.2f ms after the socket closed",
      online_ms, online_from_connect_ms, offline_ms);

  // last_seen survives a restart.
  QCOMPARE(node.stop(), 0);
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice2, node, "alice");
  alice2->c->core().query_status("bob");
  QVERIFY(pump(
      {alice2.get()}, [&] { return !alice2->presence.empty(); }, 5s));
  pump_for({alice2.get()}, 50ms);
  QCOMPARE(alice2->presence.size(), std::size_t{1});  // STATUS: exactly one answer
  QCOMPARE(alice2->presence[0].user, std::string("bob"));
  QCOMPARE(alice2->presence[0].state, protocol::PresenceState::kOffline);
  QCOMPARE(alice2->presence[0].last_seen_ms, last_seen);
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// F5: the F1-F3 essentials through WebSocket clients, also mixed with TCP.

void TestNode::webSocketEssentials_data() {
  QTest::addColumn<Transport>("sender");
  QTest::addColumn<Transport>("recipient");
  QTest::addColumn<WsDriver>("driver");
  const auto ws = Transport::kWebSocket, tcp = Transport::kTcp;
  // iris::client::Client over WebSocket, as applications use it.
  QTest::newRow("ws -> ws (iris Client)") << ws << ws << WsDriver::kIrisClient;
  QTest::newRow("ws -> tcp (iris Client)") << ws << tcp << WsDriver::kIrisClient;
  QTest::newRow("tcp -> ws (iris Client)") << tcp << ws << WsDriver::kIrisClient;
  // The same through the test's own WebSocket driver: the node's WebSocket listener alone.
  QTest::newRow("ws -> ws (test WS driver)") << ws << ws << WsDriver::kTestDriver;
  QTest::newRow("ws -> tcp (test WS driver)") << ws << tcp << WsDriver::kTestDriver;
  QTest::newRow("tcp -> ws (test WS driver)") << tcp << ws << WsDriver::kTestDriver;
}

void TestNode::webSocketEssentials() {
  QFETCH(Transport, sender);
  QFETCH(Transport, recipient);
  QFETCH(WsDriver, driver);
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  QVERIFY(node.ws_port() != 0);
  LOGIN(alice, node, "alice", {sender, true, 4096, driver});
  LOGIN(bob, node, "bob", {recipient, true, 4096, driver});
  auto state = [](const char* who, Peer& p) {
    return QString("%1 got %2, acks %3, open %4, error '%5', undecodable: '%6'")
        .arg(who)
        .arg(p.got.size())
        .arg(p.done.size())
        .arg(p.c->connected())
        .arg(QString::fromStdString(p.c->last_error()))
        .arg(QString::fromStdString(p.failures.empty() ? "" : p.failures.front()));
  };

  // F1 online, both ways (payloads up to the 64 KiB limit, several frames per WS message).
  const std::size_t n = 50;
  std::vector<std::string> to_bob, to_alice;
  for (std::size_t i = 0; i < n; ++i) {
    to_bob.push_back(big_payload(i, i == 7 ? protocol::kMaxPayload : 20 + i * 50));
    to_alice.push_back("back-" + std::to_string(i));
    QVERIFY(alice->c->send("bob", to_bob.back()) != 0);
    QVERIFY(bob->c->send("alice", to_alice.back()) != 0);
  }
  bool exchanged = pump(
      {alice.get(), bob.get()},
      [&] {
        return alice->got.size() >= n && bob->got.size() >= n && alice->done.size() >= n &&
               bob->done.size() >= n;
      },
      5s);
  QVERIFY2(exchanged, qPrintable(state("alice", *alice) + "; " + state("bob", *bob)));
  QVERIFY(alice->failures.empty() && bob->failures.empty());
  QCOMPARE(payloads(bob->got), to_bob);
  QCOMPARE(payloads(alice->got), to_alice);
  for (const auto& d : bob->got) QCOMPARE(d.sender, std::string("alice"));
  for (const auto& d : alice->got) QCOMPARE(d.sender, std::string("bob"));
  std::set<std::uint64_t> acked_ids, delivered_ids;
  for (const auto& d : alice->done) {
    QCOMPARE(d.status, SendStatus::kOk);
    acked_ids.insert(d.server_msg_id);
  }
  for (const auto& d : bob->got) delivered_ids.insert(d.server_msg_id);
  QCOMPARE(acked_ids, delivered_ids);

  // F2 offline with identical payloads, then F3 delete-after-read.
  bob->c->close();
  const std::size_t m = 120;
  std::vector<std::string> want;
  for (std::size_t i = 0; i < m; ++i) {
    want.push_back(i % 4 ? "same" : "o" + std::to_string(i));
    QVERIFY(alice->c->send("bob", want.back()) != 0);
  }
  QVERIFY2(pump(
               {alice.get()}, [&] { return alice->done.size() >= n + m; }, 5s),
           qPrintable(state("alice", *alice)));
  QCOMPARE(alice->ok_count(), n + m);
  LOGIN(bob2, node, "bob", {recipient, /*auto_ack=*/false, 4096, driver});
  QVERIFY2(pump(
               {bob2.get()}, [&] { return bob2->got.size() >= m; }, 5s),
           qPrintable(state("bob", *bob2)));
  pump_for({bob2.get()}, 100ms);
  QCOMPARE(payloads(bob2->got), want);
  std::vector<std::uint64_t> acks;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < m; ++i) {
    if (i % 2 == 0) {
      acks.push_back(bob2->got[i].server_msg_id);
    } else {
      rest.push_back(want[i]);
    }
  }
  ack(*bob2, acks);
  QVERIFY(sync(*bob2, 7));
  bob2->c->close();
  LOGIN(bob3, node, "bob", {recipient, true, 4096, driver});
  pump(
      {bob3.get()}, [&] { return bob3->got.size() >= rest.size(); }, 5s);
  QVERIFY(sync(*bob3, 8));
  QCOMPARE(payloads(bob3->got), rest);
  bob3->c->close();
  LOGIN(bob4, node, "bob", {recipient, true, 4096, driver});
  pump_for({bob4.get()}, 300ms);
  QCOMPARE(bob4->got.size(), std::size_t{0});
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// TLS listener: a raw ssl::stream client speaks the protocol; misconfiguration fails loudly.

void TestNode::tlsHelloAndLogin() {
  QTemporaryDir certs;
  QVERIFY(certs.isValid());
  const QString key = certs.filePath("k.pem"), cert = certs.filePath("c.pem");
  QProcess openssl;
  openssl.setProcessChannelMode(QProcess::MergedChannels);
  openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                            cert, "-days", "1", "-subj", "/CN=localhost"});
  QVERIFY2(openssl.waitForFinished(30000), "openssl did not finish in 30 s");
  QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());

  NodeProcess node;
  QVERIFY2(node.start({"--tls-listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key}),
           qPrintable(node.error()));
  QVERIFY(node.tls_port() != 0);
  LOGIN(alice, node, "alice");  // plain TCP, to receive from the TLS client

  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  RawConn tls(&ctx);
  QVERIFY2(tls.connect(node.tls_port()), tls.error().c_str());
  QVERIFY(tls.write(hello_login(node.token("bob"))));
  QVERIFY2(tls.read_until([&] { return tls.frames().size() >= 2; }, 5s),
           qPrintable(QString("%1 frames, %2")
                          .arg(tls.frames().size())
                          .arg(QString::fromStdString(tls.close_reason()))));
  auto frames = tls.frames();
  auto f0 = frames[0].decode();
  const auto* hello_ok = as<protocol::HelloOk>(f0);
  QVERIFY2(hello_ok != nullptr, protocol::to_string(frames[0].type));
  QCOMPARE(hello_ok->version, protocol::kProtocolVersion);
  QCOMPARE(hello_ok->max_frame_length, protocol::kMaxFrameLength);
  QCOMPARE(std::string(hello_ok->node_id), std::string("node-1"));
  auto f1 = frames[1].decode();
  const auto* login_ok = as<protocol::LoginOk>(f1);
  QVERIFY2(login_ok != nullptr, protocol::to_string(frames[1].type));
  QCOMPARE(std::string(login_ok->user), std::string("bob"));

  // A message over TLS reaches a TCP client; its SEND_ACK comes back over TLS.
  protocol::Bytes send;
  std::string text = "over tls";
  protocol::encode(
      send, protocol::Send{
                99, "alice", {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}});
  QVERIFY(tls.write(send));
  QVERIFY(pump(
      {alice.get()}, [&] { return !alice->got.empty(); }, 5s));
  QCOMPARE(alice->got[0].payload, text);
  QCOMPARE(alice->got[0].sender, std::string("bob"));
  QVERIFY(tls.read_until([&] { return tls.frames().size() >= 3; }, 5s));
  auto f2 = tls.frames()[2].decode();
  const auto* sack = as<protocol::SendAck>(f2);
  QVERIFY(sack != nullptr);
  QCOMPARE(sack->client_msg_id, std::uint64_t{99});
  QCOMPARE(sack->status, SendStatus::kOk);
  QCOMPARE(sack->server_msg_id, alice->got[0].server_msg_id);
  QCOMPARE(node.stop(), 0);
}

void TestNode::tlsListenWithoutCertFails_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<QString>("message");
  QTest::newRow("no cert, no key") << QStringList{"--tls-listen", "127.0.0.1:0"}
                                   << "--tls-listen needs --tls-cert and --tls-key";
  QTest::newRow("cert only") << QStringList{"--tls-listen", "127.0.0.1:0", "--tls-cert",
                                            "/nonexistent/c.pem"}
                             << "--tls-listen needs --tls-cert and --tls-key";
  QTest::newRow("missing files") << QStringList{"--tls-listen", "127.0.0.1:0",
                                                "--tls-cert",   "/nonexistent/c.pem",
                                                "--tls-key",    "/nonexistent/k.pem"}
                                 << "TLS certificate/key";
}

void TestNode::tlsListenWithoutCertFails() {
  QFETCH(QStringList, args);
  QFETCH(QString, message);
  NodeProcess node;
  QVERIFY2(!node.start(args), "the node started with a broken TLS configuration");
  int code = node.exit_code();
  QVERIFY2(code > 0, qPrintable(QString("exit code %1; %2").arg(code).arg(node.error())));
  QVERIFY2(node.log().contains(message), qPrintable(node.log()));
}

// ---------------------------------------------------------------------------------------------
// F6: many senders, one recipient. Bucketing is not implemented yet; the invariants must hold.

void TestNode::hotRecipientFanIn_data() {
  QTest::addColumn<bool>("online");
  QTest::addColumn<bool>("restart");  // offline only: restart the node before the login
  QTest::addColumn<QStringList>("args");
  const QStringList hot = {"--hot-threshold",    "100", "--hot-buckets", "4",
                           "--store-partitions", "4"};
  QTest::newRow("recipient online") << true << false << QStringList{};
  QTest::newRow("recipient offline") << false << false << QStringList{};
  QTest::newRow("online, hot buckets") << true << false << hot;
  QTest::newRow("offline, hot buckets over 4 store partitions") << false << false << hot;
  QTest::newRow("offline, hot buckets, node restarted") << false << true << hot;
}

void TestNode::hotRecipientFanIn() {
  QFETCH(bool, online);
  QFETCH(bool, restart);
  QFETCH(QStringList, args);
  const bool bucketed = !args.isEmpty();
  const int senders = 20;
  const std::size_t per_sender = 50;
  NodeProcess node;
  QVERIFY2(node.start(args), qPrintable(node.error()));
  std::unique_ptr<Peer> hot;
  if (online) {
    hot = login(node, "hot");
    QVERIFY2(hot, qPrintable(g_login_error));
  }
  std::vector<std::unique_ptr<Peer>> s;
  std::vector<Peer*> all;
  for (int i = 0; i < senders; ++i) {
    s.push_back(login(node, "s" + std::to_string(i)));
    QVERIFY2(s.back(), qPrintable(g_login_error));
    all.push_back(s.back().get());
  }
  for (std::size_t k = 0; k < per_sender; ++k) {
    for (int i = 0; i < senders; ++i) {
      QVERIFY(s[static_cast<std::size_t>(i)]->c->send(
                  "hot", "s" + std::to_string(i) + ":" + std::to_string(k)) != 0);
    }
  }
  const std::size_t total = per_sender * senders;
  auto t0 = Clock::now();
  auto senders_done = [&] {
    for (auto& p : s) {
      if (p->done.size() < per_sender) return false;
    }
    return true;
  };
  if (online) {
    all.push_back(hot.get());
    QVERIFY(pump(
        all, [&] { return hot->got.size() >= total && senders_done(); }, 30s));
  } else {
    QVERIFY(pump(all, senders_done, 30s));
    if (restart) {
      QCOMPARE(node.stop(), 0);
      QVERIFY2(node.start(args), qPrintable(node.error()));
    }
    hot = login(node, "hot");
    QVERIFY2(hot, qPrintable(g_login_error));
    QVERIFY(pump(
        {hot.get()}, [&] { return hot->got.size() >= total; }, 30s));
  }
  double elapsed = ms_since(t0);
  pump_for({hot.get()}, 100ms);
  QCOMPARE(hot->got.size(), total);
  QCOMPARE(hot->c->core().duplicates_dropped(), std::uint64_t{0});
  std::map<std::string, long> last;  // sender -> last index seen
  std::map<std::string, std::size_t> per;
  std::set<std::uint64_t> ids;
  for (const auto& d : hot->got) {
    auto colon = d.payload.find(':');
    QVERIFY(colon != std::string::npos);
    QCOMPARE(d.payload.substr(0, colon), d.sender);
    long k = std::stol(d.payload.substr(colon + 1));
    auto it = last.find(d.sender);
    QVERIFY2(it == last.end() ? k == 0 : k == it->second + 1,
             qPrintable(QString::fromStdString("out of order: " + d.payload)));
    last[d.sender] = k;
    ++per[d.sender];
    ids.insert(d.server_msg_id);
  }
  QCOMPARE(ids.size(), total);
  QCOMPARE(per.size(), static_cast<std::size_t>(senders));
  for (auto& [who, c] : per) QCOMPARE(c, per_sender);
  for (auto& p : s) QCOMPARE(p->ok_count(), per_sender);
  // With a 100 msgs/s threshold the fan-in must have promoted the recipient to buckets.
  if (bucketed)
    QVERIFY2(node.all_logs().contains("hot_recipient_promoted"), qPrintable(node.all_logs()));
  qInfo("F6 fan-in %d senders x %zu -> 1 recipient (%s%s): %.1f ms", senders, per_sender,
        online ? "online" : "offline", bucketed ? ", hot buckets" : "", elapsed);
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Slow consumer: bob's socket never reads while alice floods him with 60 KiB messages.

void TestNode::slowConsumerBoundedMemory() {
  NodeProcess node;
  QVERIFY2(node.start({"--slow-consumer-timeout-s", "1"}), qPrintable(node.error()));
  LOGIN(alice, node, "alice", {Transport::kTcp, true, /*max_pending=*/64});
  RawConn bob;
  QVERIFY2(bob.connect(node.tcp_port(), /*rcvbuf=*/16 * 1024), bob.error().c_str());
  QVERIFY(bob.write(hello_login(node.token("bob"))));
  QVERIFY(bob.read_until([&] { return bob.frames().size() >= 2; }, 5s));
  QVERIFY(as<protocol::LoginOk>(bob.frames()[1].decode()) != nullptr);
  // From here on bob's socket is never read until the flood is over.

  pump_for({alice.get()}, 200ms);
  const qint64 base_kib = node.rss_kib();
  const std::size_t base_sockets = open_sockets(node.pid());
  QVERIFY(base_kib > 0);
  // 4000 x 60 KiB = 234 MiB flooded. The engine keeps at most user_memory_cap_bytes (4 MiB) of
  // an online recipient's messages in memory beyond its 1 MiB ACK window (docs/architecture.md,
  // bounds table); the rest waits in the store. 32 MiB more for the store's page caches and the
  // allocator: far below the flood, so nothing may accumulate per message sent.
  const std::size_t n = 4000, size = 60 * 1024;
  const double bound_mib = 4.0 + 1.0 + 32.0;
  std::map<std::uint64_t, std::size_t> index_of;
  std::size_t next = 0;
  qint64 peak_kib = base_kib;
  auto last_sample = Clock::now();
  auto t0 = Clock::now();
  auto deadline = t0 + 30s;
  while (alice->done.size() < n && Clock::now() < deadline) {
    while (next < n && alice->c->core().pending_sends() < 64) {
      auto id = alice->c->send("bob", big_payload(next, size));
      QVERIFY(id != 0);
      index_of[id] = next++;
    }
    alice->c->pump(2ms);
    alice->drain();
    if (Clock::now() - last_sample >= 20ms) {
      peak_kib = std::max(peak_kib, node.rss_kib());
      last_sample = Clock::now();
    }
  }
  double flood_ms = ms_since(t0);
  QVERIFY2(alice->done.size() == n,
           qPrintable(QString("%1 of %2 SEND_ACKs in 30 s").arg(alice->done.size()).arg(n)));
  const qint64 end_kib = node.rss_kib();
  peak_kib = std::max(peak_kib, end_kib);
  const std::size_t flood_sockets = open_sockets(node.pid());
  const double growth_mib = static_cast<double>(peak_kib - base_kib) / 1024.0;
  qInfo(
      "slow consumer: %zu x %zu B flooded in %.0f ms; node RSS base %.1f MiB, peak %.1f MiB "
      "(+%.1f MiB), at end %.1f MiB; node sockets %zu before, %zu after the flood",
      n, size, flood_ms, base_kib / 1024.0, peak_kib / 1024.0, growth_mib, end_kib / 1024.0,
      base_sockets, flood_sockets);

  // Now read what the node pushed to bob: at most its ACK window (1 MiB of payload), then BYE.
  bob.read_to_eof(5s);
  bool tail_ok = false;
  auto frames = bob.frames(&tail_ok);
  QVERIFY(tail_ok);
  std::size_t delivered = 0, delivered_bytes = 0;
  std::optional<protocol::ByeReason> bye;
  for (std::size_t i = 2; i < frames.size(); ++i) {
    auto f = frames[i].decode();
    QVERIFY2(f, protocol::to_string(frames[i].type));
    if (const auto* d = as<protocol::Deliver>(f)) {
      QCOMPARE(std::string(reinterpret_cast<const char*>(d->payload.data()), d->payload.size()),
               big_payload(delivered, size));
      ++delivered;
      delivered_bytes += d->payload.size();
    } else if (const auto* b = as<protocol::Bye>(f)) {
      bye = b->reason;
    }
  }
  qInfo("slow consumer: bob's socket held %zu DELIVERs (%zu payload bytes), BYE %s, closed: %s",
        delivered, delivered_bytes, bye ? protocol::to_string(*bye) : "none",
        bob.closed() ? bob.close_reason().c_str() : "no");
  QVERIFY2(delivered_bytes <= (1u << 20) + size,
           qPrintable(QString("node pushed %1 bytes past a full window").arg(delivered_bytes)));
  QVERIFY2(bye.has_value(), "no BYE after the 1 s slow-consumer timeout");
  QCOMPARE(*bye, protocol::ByeReason::kSlowConsumer);
  QVERIFY2(bob.closed(), "node did not close the slow consumer's connection");

  // A normal bob now receives every message alice got SEND_ACK(OK) for, once, intact, in the
  // order the node accepted them (ascending server id: the protocol's per-sender order).
  std::map<std::uint64_t, std::size_t> acked;  // server id -> message index
  for (const auto& d : alice->done) {
    if (d.status == SendStatus::kOk) acked[d.server_msg_id] = index_of[d.client_msg_id];
  }
  QCOMPARE(acked.size(), n);
  std::vector<std::pair<std::uint64_t, std::size_t>> expect(acked.begin(), acked.end());
  LOGIN(bob2, node, "bob");
  std::size_t checked = 0, overtaken = 0, max_index = 0;
  QString first_bad;
  auto t1 = Clock::now();
  pump(
      {bob2.get()},
      [&] {
        for (; checked < bob2->got.size(); ++checked) {
          auto& d = bob2->got[checked];
          if (first_bad.isEmpty()) {
            if (checked >= expect.size()) {
              first_bad = QString("delivery #%1 is one too many").arg(checked);
            } else if (d.server_msg_id != expect[checked].first ||
                       d.payload != big_payload(expect[checked].second, size)) {
              first_bad = QString("delivery #%1: server id %2, expected %3 (message %4)")
                              .arg(checked)
                              .arg(d.server_msg_id)
                              .arg(expect[checked].first)
                              .arg(expect[checked].second);
            }
          }
          if (checked < expect.size()) {
            if (expect[checked].second < max_index) ++overtaken;
            max_index = std::max(max_index, expect[checked].second);
          }
          d.payload.clear();  // keep the test's own memory small
          d.payload.shrink_to_fit();
        }
        return checked >= expect.size() || !first_bad.isEmpty();
      },
      30s);
  pump_for({bob2.get()}, 100ms);
  QVERIFY2(first_bad.isEmpty(), qPrintable(first_bad));
  QCOMPARE(bob2->got.size(), expect.size());
  // The flood runs into the per-session byte rate (RETRY_LATER): the node holds back later ids
  // until a refused one is resent, and the client resends in order, so alice's order holds.
  QVERIFY2(overtaken == 0,
           qPrintable(QString("%1 of %2 messages were accepted after one alice sent later")
                          .arg(overtaken).arg(expect.size())));
  qInfo("slow consumer: the next login drained %zu messages in %.0f ms", expect.size(),
        ms_since(t1));
  QVERIFY2(growth_mib < bound_mib,
           qPrintable(QString("RSS grew by %1 MiB (bound %2 MiB)").arg(growth_mib).arg(bound_mib)));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// SIGKILL mid-burst (guaranteed durability): every SEND_ACK(OK) survives, nothing twice.

void TestNode::restartKeepsEveryAckedMessage() {
  NodeProcess node;
  QVERIFY2(node.start({"--durability", "guaranteed"}), qPrintable(node.error()));
  LOGIN(alice, node, "alice", {Transport::kTcp, true, /*max_pending=*/1024});
  std::vector<std::string> sent;
  std::map<std::uint64_t, std::size_t> index_of;
  auto t0 = Clock::now();
  while (Clock::now() - t0 < 500ms && sent.size() < 200'000) {
    while (alice->c->core().pending_sends() < 1024) {
      std::string p = "burst-" + std::to_string(sent.size()) + "-" + std::string(64, 'k');
      auto id = alice->c->send("bob", p);
      QVERIFY(id != 0);
      index_of[id] = sent.size();
      sent.push_back(p);
    }
    alice->c->pump(2ms);
    alice->drain();
  }
  node.kill();  // SIGKILL: no drain, no flush
  alice->drain();
  std::map<std::size_t, std::uint64_t> acked;  // index -> server id
  for (const auto& d : alice->done) {
    QCOMPARE(d.status, SendStatus::kOk);
    acked[index_of[d.client_msg_id]] = d.server_msg_id;
  }
  QVERIFY2(!acked.empty(), "nothing acked within 0.5 s");
  QVERIFY2(acked.size() < sent.size(), "the kill did not land mid-burst");
  alice->c->close();

  QVERIFY2(node.start({"--durability", "guaranteed"}), qPrintable(node.error()));
  LOGIN(bob, node, "bob");
  // Drain until nothing new arrives for 500 ms (bounded).
  std::size_t last_count = 0;
  auto last_change = Clock::now();
  pump(
      {bob.get()},
      [&] {
        if (bob->got.size() != last_count) {
          last_count = bob->got.size();
          last_change = Clock::now();
        }
        return bob->got.size() >= acked.size() && Clock::now() - last_change > 500ms;
      },
      30s);
  std::map<std::string, std::size_t> sent_index;
  for (std::size_t i = 0; i < sent.size(); ++i) sent_index[sent[i]] = i;
  std::set<std::uint64_t> ids;
  std::set<std::string> seen_payloads;
  std::map<std::size_t, std::uint64_t> received;  // index -> server id
  for (const auto& d : bob->got) {
    QVERIFY2(ids.insert(d.server_msg_id).second, "a server id delivered twice");
    QVERIFY2(seen_payloads.insert(d.payload).second,
             qPrintable("payload twice: " + QString::fromStdString(d.payload)));
    auto it = sent_index.find(d.payload);
    QVERIFY2(it != sent_index.end(), "a payload that was never sent");
    received[it->second] = d.server_msg_id;
  }
  QCOMPARE(bob->c->core().duplicates_dropped(), std::uint64_t{0});
  std::size_t lost = 0;
  for (const auto& [i, sid] : acked) {
    auto it = received.find(i);
    if (it == received.end()) {
      ++lost;
    } else {
      QCOMPARE(it->second, sid);
    }
  }
  qInfo(
      "SIGKILL after 0.5 s: %zu sent, %zu SEND_ACK(OK), %zu delivered after restart, %zu acked "
      "lost",
      sent.size(), acked.size(), bob->got.size(), lost);
  QCOMPARE(lost, std::size_t{0});
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Wrong tokens: refused with "authentication failed"; the node keeps serving others.

void TestNode::wrongTokenRefused_data() {
  QTest::addColumn<QString>("kind");
  QTest::newRow("other secret") << "other secret";
  QTest::newRow("expired") << "expired";
  QTest::newRow("garbage") << "garbage";
  QTest::newRow("user swapped") << "user swapped";
  QTest::newRow("bare user id (dev login off)") << "bare";
}

void TestNode::wrongTokenRefused() {
  QFETCH(QString, kind);
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  std::string token;
  const std::string secret = node.secret();
  QVERIFY(secret.size() >= 16);
  if (kind == "other secret") {
    token = auth::mint_token("some-other-secret-0123456789abcdef", "carol", wall_s() + 3600);
  } else if (kind == "expired") {
    token = auth::mint_token(secret, "carol", wall_s() - 5);
  } else if (kind == "garbage") {
    token = "v1.carol.notanumber.zzzz";
  } else if (kind == "user swapped") {
    token = auth::mint_token(secret, "carol", wall_s() + 3600);
    token.replace(3, 5, "mallo");
  } else {
    token = "carol";
  }
  // On the wire: HELLO_OK, then ERROR(AUTH_FAILED, "authentication failed"), then the close.
  RawConn raw;
  QVERIFY2(raw.connect(node.tcp_port()), raw.error().c_str());
  QVERIFY(raw.write(hello_login(token)));
  QVERIFY2(raw.read_to_eof(5s), "the node did not close the connection");
  bool tail_ok = false;
  auto frames = raw.frames(&tail_ok);
  QVERIFY(tail_ok);
  QCOMPARE(frames.size(), std::size_t{2});
  QVERIFY(as<protocol::HelloOk>(frames[0].decode()) != nullptr);
  auto f1 = frames[1].decode();
  const auto* err = as<protocol::Error>(f1);
  QVERIFY2(err != nullptr, protocol::to_string(frames[1].type));
  QCOMPARE(err->code, protocol::ErrorCode::kAuthFailed);
  QCOMPARE(std::string(err->text), std::string("authentication failed"));

  // Over WebSocket (the test's driver): refused the same way.
  client::ClientOptions co;
  co.token = token;
  std::string ws_err;
  QVERIFY2(TestWsConn::connect(node.ws_port(), co, 5s, ws_err) == nullptr, "accepted over WS");
  QCOMPARE(ws_err, std::string("authentication failed"));

  // Still serving: a valid pair exchanges a message.
  LOGIN(alice, node, "alice");
  LOGIN(carol, node, "carol");
  QVERIFY(alice->c->send("carol", "still here") != 0);
  QVERIFY(pump(
      {alice.get(), carol.get()}, [&] { return !carol->got.empty() && !alice->done.empty(); }, 5s));
  QCOMPARE(carol->got[0].payload, std::string("still here"));
  QVERIFY2(node.log().contains("login_refused"), qPrintable(node.log()));

  // iris::client::Client::connect must fail with the server's ERROR text (client.h says so).
  auto r = Client::connect("127.0.0.1", node.tcp_port(), co, Transport::kTcp, 5s);
  QVERIFY2(!r, "a bad token was accepted");
  QVERIFY2(r.status().message().find("authentication failed") != std::string::npos,
           qPrintable(QString("Client::connect failed with '%1'")
                          .arg(QString::fromStdString(r.status().message()))));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Garbage: raw sockets send random bytes / impossible lengths; each gets ERROR and a close while
// a legitimate pair keeps talking without loss.

void TestNode::garbageFlood() {
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  LOGIN(bob, node, "bob");
  pump_for({alice.get(), bob.get()}, 100ms);
  const qint64 base_kib = node.rss_kib();

  struct Garbage {
    std::string name;
    protocol::Bytes bytes;
    std::optional<protocol::ErrorCode> code;  // expected code, if determined
    std::size_t ok_frames_first = 0;          // HELLO_OK, LOGIN_OK before the ERROR
    std::unique_ptr<RawConn> conn;
  };
  auto random_bytes = [](std::uint32_t seed, std::size_t n) {
    std::mt19937 rng(seed);
    protocol::Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
  };
  const std::size_t mib = 1 << 20;
  std::vector<Garbage> g;
  g.push_back({"random seed 1", random_bytes(1, mib), std::nullopt, 0, nullptr});
  g.push_back({"random seed 2", random_bytes(2, mib), std::nullopt, 0, nullptr});
  {
    auto b = hello_login(node.token("mallory"));
    auto r = random_bytes(3, mib);
    b.insert(b.end(), r.begin(), r.end());
    g.push_back({"random after login", std::move(b), std::nullopt, 2, nullptr});
  }
  {
    std::mt19937 rng(4);
    protocol::Bytes b;
    while (b.size() < mib) {  // well-framed, random type and body
      std::uint32_t len = 1 + rng() % 300;
      b.push_back(static_cast<std::uint8_t>(len >> 24));
      b.push_back(static_cast<std::uint8_t>(len >> 16));
      b.push_back(static_cast<std::uint8_t>(len >> 8));
      b.push_back(static_cast<std::uint8_t>(len));
      for (std::uint32_t i = 0; i < len; ++i) b.push_back(static_cast<std::uint8_t>(rng()));
    }
    g.push_back({"random frames", std::move(b), std::nullopt, 0, nullptr});
  }
  {
    protocol::Bytes b = {0xff, 0xff, 0xff, 0xff, 0x01};
    b.resize(mib, 0);
    g.push_back(
        {"length 0xffffffff", std::move(b), protocol::ErrorCode::kFrameTooLarge, 0, nullptr});
  }
  {
    protocol::Bytes b = hello_login(node.token("mallory2"));
    std::uint32_t len = protocol::kMaxFrameLength + 1;
    b.push_back(static_cast<std::uint8_t>(len >> 24));
    b.push_back(static_cast<std::uint8_t>(len >> 16));
    b.push_back(static_cast<std::uint8_t>(len >> 8));
    b.push_back(static_cast<std::uint8_t>(len));
    b.push_back(static_cast<std::uint8_t>(protocol::FrameType::kSend));
    b.resize(b.size() + len, 'x');
    g.push_back({"length max+1 after login", std::move(b), protocol::ErrorCode::kFrameTooLarge, 2,
                 nullptr});
  }
  for (auto& x : g) {
    x.conn = std::make_unique<RawConn>();
    QVERIFY2(x.conn->connect(node.tcp_port()), x.conn->error().c_str());
    x.conn->start_write(x.bytes);
  }

  // Interleave: garbage I/O, and alice <-> bob traffic.
  const std::size_t n = 300;
  std::size_t sent = 0;
  auto t0 = Clock::now();
  auto garbage_done = [&] {
    return std::all_of(g.begin(), g.end(), [](const Garbage& x) { return x.conn->closed(); });
  };
  while (Clock::now() - t0 < 20s) {
    for (auto& x : g) x.conn->poll_for(1ms);
    if (sent < n) {
      for (int k = 0; k < 10 && sent < n; ++k, ++sent) {
        QVERIFY(alice->c->send("bob", "a" + std::to_string(sent)) != 0);
        QVERIFY(bob->c->send("alice", "b" + std::to_string(sent)) != 0);
      }
    }
    alice->c->pump(1ms);
    bob->c->pump(1ms);
    alice->drain();
    bob->drain();
    if (garbage_done() && bob->got.size() >= n && alice->got.size() >= n) break;
  }
  double elapsed = ms_since(t0);
  for (auto& x : g) {
    QVERIFY2(x.conn->closed(),
             qPrintable(QString::fromStdString(x.name + ": not closed by the node")));
    bool tail_ok = false;
    auto frames = x.conn->frames(&tail_ok);
    QVERIFY2(tail_ok, x.name.c_str());
    QVERIFY2(
        frames.size() == x.ok_frames_first + 1,
        qPrintable(QString::fromStdString(x.name) + QString(": %1 frames").arg(frames.size())));
    auto last = frames.back().decode();
    const auto* err = as<protocol::Error>(last);
    QVERIFY2(err != nullptr,
             qPrintable(QString::fromStdString(x.name + ": last frame is not ERROR")));
    if (x.code) QCOMPARE(err->code, *x.code);
    if (x.ok_frames_first == 2) QVERIFY(as<protocol::LoginOk>(frames[1].decode()) != nullptr);
    qInfo("garbage '%s': ERROR %s (%s) after %zu of %zu bytes written; close: %s", x.name.c_str(),
          protocol::to_string(err->code), std::string(err->text).c_str(), x.conn->written(),
          x.bytes.size(), x.conn->close_reason().c_str());
  }
  // The legitimate pair lost nothing.
  QVERIFY(pump(
      {alice.get(), bob.get()},
      [&] {
        return bob->got.size() >= n && alice->got.size() >= n && alice->done.size() >= n &&
               bob->done.size() >= n;
      },
      10s));
  for (std::size_t i = 0; i < n; ++i) {
    QCOMPARE(bob->got[i].payload, "a" + std::to_string(i));
    QCOMPARE(alice->got[i].payload, "b" + std::to_string(i));
  }
  QCOMPARE(alice->ok_count(), n);
  QCOMPARE(bob->ok_count(), n);
  QVERIFY(node.running());
  const qint64 end_kib = node.rss_kib();
  qInfo("garbage flood: %zu sockets handled in %.0f ms; node RSS %.1f -> %.1f MiB", g.size(),
        elapsed, base_kib / 1024.0, end_kib / 1024.0);
  QVERIFY2(end_kib - base_kib < 32 * 1024,
           qPrintable(QString("RSS grew %1 KiB").arg(end_kib - base_kib)));
  LOGIN(carol, node, "carol");  // and it still accepts logins
  QVERIFY(sync(*carol, 5));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// SIGTERM with sessions open and unacked deliveries in flight: BYE(shutdown), exit 0 within 5 s,
// and the unacked messages come back after the restart.

void TestNode::sigtermDrain_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<bool>("volatile_at_sigterm");
  QTest::newRow("in memory only (persist delay 60 s)")
      << QStringList{"--persist-delay-ms", "60000"} << true;
  QTest::newRow("already durable (persist delay 4 ms)") << QStringList{} << false;
}

void TestNode::sigtermDrain() {
  QFETCH(QStringList, args);
  QFETCH(bool, volatile_at_sigterm);
  NodeProcess node;
  QVERIFY2(node.start(args), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  LOGIN(bob, node, "bob", {Transport::kTcp, /*auto_ack=*/false});
  const std::size_t n = 50;
  std::vector<std::string> want;
  for (std::size_t i = 0; i < n; ++i) {
    want.push_back("drain-" + std::to_string(i));
    QVERIFY(alice->c->send("bob", want.back()) != 0);
  }
  QVERIFY(pump(
      {alice.get(), bob.get()},
      [&] { return bob->got.size() >= n && (volatile_at_sigterm || alice->done.size() >= n); },
      10s));
  pump_for({alice.get(), bob.get()}, 50ms);
  QCOMPARE(payloads(bob->got), want);
  // Volatile: unacked and not yet persisted, so the sender has no SEND_ACK yet.
  QCOMPARE(alice->done.size(), volatile_at_sigterm ? std::size_t{0} : n);

  auto t0 = Clock::now();
  int code = node.stop(5s);
  double stop_ms = ms_since(t0);
  QVERIFY2(
      code == 0,
      qPrintable(
          QString("exit code %1 after %2 ms; log:\n%3").arg(code).arg(stop_ms).arg(node.log())));
  QVERIFY(stop_ms < 5000);
  QVERIFY(pump(
      {alice.get(), bob.get()},
      [&] {
        return !alice->byes.empty() && !bob->byes.empty() && !alice->c->connected() &&
               !bob->c->connected();
      },
      3s));
  QCOMPARE(alice->byes.size(), std::size_t{1});
  QCOMPARE(bob->byes.size(), std::size_t{1});
  QCOMPARE(alice->byes[0].reason, protocol::ByeReason::kShutdown);
  QCOMPARE(bob->byes[0].reason, protocol::ByeReason::kShutdown);
  qInfo("SIGTERM drain: node exited 0 in %.1f ms", stop_ms);

  QVERIFY2(node.start(args), qPrintable(node.error()));
  LOGIN(bob2, node, "bob");
  QVERIFY(pump(
      {bob2.get()}, [&] { return bob2->got.size() >= n; }, 10s));
  pump_for({bob2.get()}, 100ms);
  QCOMPARE(payloads(bob2->got), want);
  for (std::size_t i = 0; i < n; ++i)
    QCOMPARE(bob2->got[i].server_msg_id, bob->got[i].server_msg_id);
  QCOMPARE(node.stop(), 0);
}

QTEST_GUILESS_MAIN(TestNode)
#include "tst_node.moc"
