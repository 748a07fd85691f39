#pragma once
// A deterministic, single-threaded world for the engine core: N Shards, a manual clock, a store
// whose completions are queued (as ShardEnv promises: never re-entrant), and in-process clients
// speaking real protocol bytes through ClientCore. Tests drive it with pump() and advance().

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "engine/client/client_core.h"
#include "engine/core/shard.h"
#include "engine/store/memory_store.h"
#include "engine/store/posting_store.h"

namespace iris::test {

class Harness {
 public:
  struct Conn {
    core::ShardId owner = 0;
    core::ShardId home = 0;
    protocol::Bytes to_client;
    bool closed = false;
  };

  class Env final : public core::ShardEnv {
   public:
    Env(Harness& h, core::ShardId id) : h_(h), id_(id) {}
    std::uint64_t now_us() override { return h_.now_us; }
    std::uint64_t random_u64() override { return ++h_.random_; }
    void send(core::ConnId c, std::span<const std::uint8_t> b) override {
      auto it = h_.conns.find(c);
      if (it != h_.conns.end() && !it->second.closed) {
        it->second.to_client.insert(it->second.to_client.end(), b.begin(), b.end());
      }
    }
    void close(core::ConnId c) override {
      auto it = h_.conns.find(c);
      if (it == h_.conns.end() || it->second.closed) return;
      it->second.closed = true;
      h_.tasks_.push_back([this, c] { h_.notify_closed(c); });
    }
    void set_home(core::ConnId c, core::ShardId home) override { h_.conns[c].home = home; }
    bool post(core::ShardId target, core::ShardMessage m) override {
      if (h_.mailbox_full) return !std::holds_alternative<core::RouteMessage>(m) && enqueue(target, m);
      return enqueue(target, m);
    }
    store::Store& store() override { return h_.queued_store_; }

   private:
    bool enqueue(core::ShardId target, core::ShardMessage& m) {
      auto shared = std::make_shared<core::ShardMessage>(std::move(m));
      h_.tasks_.push_back([this, target, shared] {
        h_.shards[target]->on_message(std::move(*shared));
      });
      return true;
    }
    Harness& h_;
    core::ShardId id_;
  };

  struct TestClient {
    core::ConnId conn = 0;
    std::unique_ptr<client::ClientCore> core;
    std::vector<client::ClientEvent> events;
    bool open = false;
  };

  explicit Harness(core::CoreConfig cfg, std::uint32_t shards = 2)
      : config(std::move(cfg)),
        queued_store_(memory, [this](std::function<void()> done) {
          tasks_.push_back(std::move(done));  // completions run later, never re-entrantly
        }) {
    config.shards = shards;
    for (core::ShardId i = 0; i < shards; ++i) {
      envs.push_back(std::make_unique<Env>(*this, i));
      shards_storage_.push_back(std::make_unique<core::Shard>(i, config, 1, *envs.back()));
      this->shards.push_back(shards_storage_.back().get());
    }
  }

  // Opens a connection on shard (round robin) and returns a client that has sent HELLO + LOGIN.
  TestClient& connect(const std::string& token, bool auto_ack = true) {
    auto c = std::make_unique<TestClient>();
    c->conn = ++next_conn_;
    core::ShardId owner = static_cast<core::ShardId>(c->conn % shards.size());
    conns[c->conn] = Conn{owner, owner, {}, false};
    client::ClientOptions o;
    o.token = token;
    o.auto_ack = auto_ack;
    c->core = std::make_unique<client::ClientCore>(o, now_us);
    c->open = true;
    shards[owner]->on_open(c->conn);
    c->core->on_connected(now_us);
    clients_.push_back(std::move(c));
    return *clients_.back();
  }

  void disconnect(TestClient& c) {  // the client's socket drops
    if (!c.open) return;
    c.open = false;
    c.core->on_disconnected();
    auto& conn = conns[c.conn];
    if (!conn.closed) {
      conn.closed = true;
      notify_closed(c.conn);
    }
  }

  // Client -> node raw bytes (tests that misbehave).
  void raw(TestClient& c, const protocol::Bytes& bytes) { pending_raw_[c.conn].push_back(bytes); }

  // Moves bytes and runs queued work until nothing moves.
  void pump(int max_rounds = 10000) {
    for (int round = 0; round < max_rounds; ++round) {
      bool moved = false;
      for (auto& c : clients_) moved |= transfer(*c);
      while (!tasks_.empty()) {
        auto t = std::move(tasks_.front());
        tasks_.pop_front();
        t();
        moved = true;
      }
      for (auto* s : shards) s->end_turn();
      if (!moved && tasks_.empty()) return;
    }
  }

  // Advances the clock in steps, ticking every shard and pumping.
  void advance(std::uint64_t us, std::uint64_t step = 1000) {
    for (std::uint64_t t = 0; t < us; t += step) {
      now_us += step;
      for (auto* s : shards) s->on_tick();
      for (auto& c : clients_) {
        if (c->open) c->core->on_tick(now_us);
      }
      pump();
    }
  }

  template <typename T>
  static std::vector<T> take(TestClient& c) {
    std::vector<T> out;
    std::vector<client::ClientEvent> rest;
    for (auto& e : c.events) {
      if (auto* v = std::get_if<T>(&e)) {
        out.push_back(std::move(*v));
      } else {
        rest.push_back(std::move(e));
      }
    }
    c.events.swap(rest);
    return out;
  }


  core::CoreConfig config;
  store::MemoryStore memory;
  std::uint64_t now_us = 1'800'000'000'000'000ull;  // 2027: tokens minted "now" are valid
  std::vector<core::Shard*> shards;
  std::map<core::ConnId, Conn> conns;
  bool mailbox_full = false;

 private:
  friend class Env;

  void notify_closed(core::ConnId c) {
    auto& conn = conns[c];
    shards[conn.owner]->on_closed(c);
    if (conn.home != conn.owner) shards[conn.home]->on_closed(c);
  }

  bool transfer(TestClient& c) {
    bool moved = false;
    auto& conn = conns[c.conn];
    if (!conn.to_client.empty() && c.open) {
      auto bytes = std::move(conn.to_client);
      conn.to_client.clear();
      c.core->on_bytes(bytes, now_us);
      for (auto& e : c.core->take_events()) c.events.push_back(std::move(e));
      moved = true;
    }
    if (conn.closed && c.open) {  // the node closed it: the client notices
      c.open = false;
      c.core->on_disconnected();
      moved = true;
    }
    protocol::Bytes out = c.open ? c.core->take_output() : protocol::Bytes{};
    for (auto& r : pending_raw_[c.conn]) out.insert(out.end(), r.begin(), r.end());
    pending_raw_[c.conn].clear();
    if (out.empty() || conn.closed) return moved;
    to_node(c.conn, out);
    return true;
  }

  void to_node(core::ConnId id, const protocol::Bytes& out) {
    auto& reader = readers_[id];
    reader.feed(out);
    protocol::FrameView f;
    for (;;) {
      auto st = reader.next(f);
      if (st == protocol::FrameReader::State::kNeedMore) break;
      auto& conn = conns[id];
      if (conn.closed) break;
      if (st == protocol::FrameReader::State::kError) {
        shards[conn.home]->on_stream_error(id, reader.error());
        break;
      }
      shards[conn.home]->on_frame(id, f);
    }
  }

  store::PostingStore queued_store_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::unique_ptr<Env>> envs;
  std::vector<std::unique_ptr<core::Shard>> shards_storage_;
  std::vector<std::unique_ptr<TestClient>> clients_;
  std::map<core::ConnId, std::vector<protocol::Bytes>> pending_raw_;
  std::map<core::ConnId, protocol::FrameReader> readers_;
  core::ConnId next_conn_ = 0;
  std::uint64_t random_ = 0;
};

}  // namespace iris::test
