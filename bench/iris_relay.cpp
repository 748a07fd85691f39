// iris-relay: the floor the benchmark measures an iris-node against. It does the socket work of a
// node serving 1:1 messages, and nothing else: the same wire frames (HELLO, LOGIN, SEND ->
// SEND_ACK to the sender and DELIVER to the recipient, ACK, PING), the same read strategy (wait
// for readability, read into one buffer per thread, keep only a partial frame per connection),
// one coalesced write per connection per batch, one thread per core with cross-thread hand-off in
// batches. No sessions beyond a name, no store, no dedup, no rate limits, no metrics: whatever an
// iris-node costs above this is engine logic.
//
//   iris-relay --listen 127.0.0.1:7500 [--threads 2] [--echo-listen 127.0.0.1:7501]
//
// --echo-listen adds a plain TCP echo (one blocking thread per connection): the raw loopback
// round trip the benchmark's lock-step latency is compared with.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/protocol/codec.h"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace proto = iris::protocol;

namespace {

struct Worker;

// One client connection, owned by one worker thread.
struct Conn {
  tcp::socket socket;
  Worker* worker;
  std::uint32_t id;  // global: worker index in the low 8 bits
  std::string user;
  proto::Bytes partial;   // bytes of an incomplete frame (idle connections hold none)
  proto::Bytes pending;   // frames waiting for the write in flight
  proto::Bytes inflight;  // the write in flight
  bool writing = false, closed = false;
  Conn(asio::io_context& io, Worker* w, std::uint32_t i) : socket(io), worker(w), id(i) {}
};

struct Registry {
  std::mutex m;
  std::unordered_map<std::string, std::uint32_t> users;  // user -> connection id
};

struct Worker {
  asio::io_context io{1};
  std::uint32_t index = 0;
  std::vector<std::unique_ptr<Conn>> conns;  // by id >> 8; never shrinks (a benchmark process)
  std::array<std::uint8_t, 64 * 1024> read_buf{};
  // Frames other workers hand over: records [u32 conn id][u32 length][frame bytes].
  std::mutex inbox_m;
  proto::Bytes inbox, inbox_spare;
  bool inbox_posted = false;
  std::vector<Worker*>* all = nullptr;
  Registry* registry = nullptr;
  std::vector<Conn*> dirty;  // connections with pending output this batch
  std::uint64_t next_server_id = 1;

  Conn* conn(std::uint32_t id) {
    const std::size_t slot = id >> 8;
    return slot < conns.size() ? conns[slot].get() : nullptr;
  }

  void queue_output(Conn& c) {
    if (!c.writing && c.pending.size() > 0 && !c.closed) dirty.push_back(&c);
  }

  void flush_dirty() {
    for (Conn* c : dirty) flush(*c);
    dirty.clear();
  }

  void flush(Conn& c) {
    if (c.writing || c.closed || c.pending.empty()) return;
    std::swap(c.inflight, c.pending);
    c.pending.clear();
    c.writing = true;
    asio::async_write(c.socket, asio::buffer(c.inflight), [this, &c](boost::system::error_code ec,
                                                                     std::size_t) {
      c.writing = false;
      c.inflight.clear();
      if (ec) return close(c);
      flush(c);
    });
  }

  void close(Conn& c) {
    if (c.closed) return;
    c.closed = true;
    boost::system::error_code ignore;
    c.socket.close(ignore);
    if (!c.user.empty()) {
      std::lock_guard lock(registry->m);
      auto it = registry->users.find(c.user);
      if (it != registry->users.end() && it->second == c.id) registry->users.erase(it);
    }
  }

  void adopt(tcp::socket s) {
    const auto slot = static_cast<std::uint32_t>(conns.size());
    auto c = std::make_unique<Conn>(io, this, (slot << 8) | index);
    c->socket = std::move(s);
    boost::system::error_code ignore;
    c->socket.set_option(tcp::no_delay(true), ignore);
    c->socket.non_blocking(true, ignore);
    Conn& ref = *c;
    conns.push_back(std::move(c));
    wait_read(ref);
  }

  void wait_read(Conn& c) {
    c.socket.async_wait(tcp::socket::wait_read, [this, &c](boost::system::error_code ec) {
      if (ec) return close(c);
      for (;;) {
        boost::system::error_code rec;
        const std::size_t n = c.socket.read_some(asio::buffer(read_buf), rec);
        if (rec == asio::error::would_block) break;
        if (rec) return close(c);
        if (!on_bytes(c, std::span<const std::uint8_t>(read_buf.data(), n))) return close(c);
        if (n < read_buf.size()) break;
      }
      flush_dirty();
      if (!c.closed) wait_read(c);
    });
  }

  bool on_bytes(Conn& c, std::span<const std::uint8_t> in) {
    std::span<const std::uint8_t> rest = in;
    if (!c.partial.empty()) {
      c.partial.insert(c.partial.end(), in.begin(), in.end());
      rest = c.partial;
    }
    std::size_t used = 0;
    for (;;) {
      auto r = proto::split_frame(rest.subspan(used));
      if (r.status == proto::SplitStatus::kNeedMore) break;
      if (r.status != proto::SplitStatus::kFrame) return false;
      used += r.consumed;
      if (!on_frame(c, r.frame)) return false;
    }
    if (c.partial.empty()) {
      c.partial.assign(rest.begin() + static_cast<std::ptrdiff_t>(used), rest.end());
    } else {
      c.partial.erase(c.partial.begin(), c.partial.begin() + static_cast<std::ptrdiff_t>(used));
    }
    if (c.partial.empty()) proto::Bytes().swap(c.partial);
    return true;
  }

  bool on_frame(Conn& c, const proto::FrameView& f) {
    auto frame = proto::decode_client(f);
    if (!frame) return false;
    if (std::get_if<proto::Hello>(&*frame)) {
      proto::encode(c.pending, proto::HelloOk{proto::kProtocolVersion, proto::kMaxFrameLength, "relay"});
    } else if (auto* login = std::get_if<proto::Login>(&*frame)) {
      c.user.assign(login->token);
      {
        std::lock_guard lock(registry->m);
        registry->users[c.user] = c.id;
      }
      proto::encode(c.pending, proto::LoginOk{c.user, c.id});
    } else if (auto* send = std::get_if<proto::Send>(&*frame)) {
      std::uint32_t to = 0;
      bool known = false;
      {
        std::lock_guard lock(registry->m);
        auto it = registry->users.find(std::string(send->recipient));
        if (it != registry->users.end()) {
          to = it->second;
          known = true;
        }
      }
      const std::uint64_t server_id = next_server_id++;  // per thread: unique with its index
      if (!known) {
        proto::encode(c.pending, proto::SendAck{send->client_msg_id,
                                                proto::SendStatus::kUnknownRecipient, 0, 0});
      } else {
        proto::encode(c.pending, proto::SendAck{send->client_msg_id, proto::SendStatus::kOk,
                                                (server_id << 8) | index, 0});
        const auto ts = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count());
        deliver(to, proto::Deliver{(server_id << 8) | index, c.user, send->client_msg_id, ts,
                                   send->payload});
      }
    } else if (auto* ping = std::get_if<proto::Ping>(&*frame)) {
      proto::encode(c.pending, proto::Pong{ping->nonce});
    } else if (std::get_if<proto::ClientBye>(&*frame)) {
      return false;
    }  // ACK, presence, status: nothing to do in a relay
    queue_output(c);
    return true;
  }

  void deliver(std::uint32_t to, const proto::Deliver& d) {
    Worker& w = *(*all)[to & 0xff];
    if (&w == this) {
      if (Conn* t = conn(to); t && !t->closed) {
        proto::encode(t->pending, d);
        queue_output(*t);
      }
      return;
    }
    proto::Bytes frame;
    proto::encode(frame, d);
    bool post = false;
    {
      std::lock_guard lock(w.inbox_m);
      const auto len = static_cast<std::uint32_t>(frame.size());
      const std::uint8_t* id = reinterpret_cast<const std::uint8_t*>(&to);
      const std::uint8_t* l = reinterpret_cast<const std::uint8_t*>(&len);
      w.inbox.insert(w.inbox.end(), id, id + 4);
      w.inbox.insert(w.inbox.end(), l, l + 4);
      w.inbox.insert(w.inbox.end(), frame.begin(), frame.end());
      if (!w.inbox_posted) post = w.inbox_posted = true;
    }
    if (post) asio::post(w.io, [&w] { w.drain_inbox(); });
  }

  void drain_inbox() {
    {
      std::lock_guard lock(inbox_m);
      inbox_spare.swap(inbox);
      inbox.clear();
      inbox_posted = false;
    }
    for (std::size_t at = 0; at + 8 <= inbox_spare.size();) {
      std::uint32_t id = 0, len = 0;
      std::memcpy(&id, inbox_spare.data() + at, 4);
      std::memcpy(&len, inbox_spare.data() + at + 4, 4);
      at += 8;
      if (Conn* t = conn(id); t && !t->closed) {
        t->pending.insert(t->pending.end(), inbox_spare.begin() + static_cast<std::ptrdiff_t>(at),
                          inbox_spare.begin() + static_cast<std::ptrdiff_t>(at + len));
        queue_output(*t);
      }
      at += len;
    }
    inbox_spare.clear();
    flush_dirty();
  }
};

void echo_server(tcp::acceptor& acceptor) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket s(acceptor.get_executor());
    acceptor.accept(s, ec);
    if (ec) return;
    std::thread([s = std::move(s)]() mutable {
      boost::system::error_code e;
      s.set_option(tcp::no_delay(true), e);
      std::array<char, 64 * 1024> buf{};
      for (;;) {
        const std::size_t n = s.read_some(asio::buffer(buf), e);
        if (e || asio::write(s, asio::buffer(buf.data(), n), e) != n || e) return;
      }
    }).detach();
  }
}

tcp::endpoint parse(const std::string& s) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("HOST:PORT expected: " + s);
  return {asio::ip::make_address(s.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(s.substr(colon + 1)))};
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:7500", echo;
  unsigned threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--help" || k == "-h") {
      std::puts("iris-relay --listen HOST:PORT [--threads N] [--echo-listen HOST:PORT]");
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "iris-relay: %s needs a value\n", k.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    if (k == "--listen") listen = v;
    else if (k == "--echo-listen") echo = v;
    else if (k == "--threads") threads = static_cast<unsigned>(std::stoul(v));
    else {
      std::fprintf(stderr, "iris-relay: unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  if (threads < 1 || threads > 64) {
    std::fprintf(stderr, "iris-relay: --threads 1..64\n");
    return 2;
  }
  try {
    Registry registry;
    std::vector<std::unique_ptr<Worker>> owned;
    std::vector<Worker*> workers;
    for (unsigned i = 0; i < threads; ++i) {
      owned.push_back(std::make_unique<Worker>());
      owned.back()->index = i;
      owned.back()->registry = &registry;
      workers.push_back(owned.back().get());
    }
    for (auto* w : workers) w->all = &workers;

    asio::io_context accept_io{1};
    tcp::acceptor acceptor(accept_io, parse(listen));
    std::unique_ptr<tcp::acceptor> echo_acceptor;
    if (!echo.empty()) echo_acceptor = std::make_unique<tcp::acceptor>(accept_io, parse(echo));
    std::atomic<unsigned> next{0};
    std::function<void()> accept_one = [&] {
      acceptor.async_accept([&](boost::system::error_code ec, tcp::socket s) {
        if (ec) return;
        Worker* w = workers[next++ % workers.size()];
        // The socket moves to the worker's context: re-open its descriptor there.
        boost::system::error_code lec;
        const auto local = s.local_endpoint(lec);
        if (lec) return accept_one();  // gone already
        const auto proto_v = local.protocol();
        const int fd = s.release();
        asio::post(w->io, [w, fd, proto_v] { w->adopt(tcp::socket(w->io, proto_v, fd)); });
        accept_one();
      });
    };
    accept_one();
    asio::signal_set signals(accept_io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) {
      accept_io.stop();
      for (auto* w : workers) w->io.stop();
    });
    std::vector<std::thread> pool;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (auto* w : workers) {
      guards.push_back(asio::make_work_guard(w->io));
      pool.emplace_back([w] { w->io.run(); });
    }
    std::thread echo_thread;
    if (echo_acceptor) echo_thread = std::thread([&] { echo_server(*echo_acceptor); });
    std::fprintf(stderr, "iris-relay: listening on %s with %u threads\n", listen.c_str(), threads);
    accept_io.run();
    for (auto* w : workers) w->io.stop();
    for (auto& t : pool) t.join();
    if (echo_thread.joinable()) {
      // The echo threads block in accept/read: end the process without joining them.
      std::fflush(nullptr);
      std::_Exit(0);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iris-relay: %s\n", e.what());
    return 1;
  }
  return 0;
}
