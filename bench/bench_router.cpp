// Router shard micro-benchmark: the engine core's own CPU per message, no sockets, no disk.
// One iteration = SEND decoded and routed, DELIVER encoded, ACK decoded and applied (the
// recipient ACKs before the persist delay, so the store is never touched — the common online
// case). Printed, not asserted; the end-to-end figures belong to the benchmark command of the
// performance issue.

#include <benchmark/benchmark.h>

#include <deque>
#include <functional>

#include "engine/core/shard.h"
#include "engine/store/memory_store.h"

namespace {

using namespace iris;

class NullEnv final : public core::ShardEnv {
 public:
  std::uint64_t now_us() override { return now; }
  std::uint64_t random_u64() override { return ++rnd; }
  void send(core::ConnId, std::span<const std::uint8_t> b) override { bytes_out += b.size(); }
  void close(core::ConnId) override {}
  void set_home(core::ConnId, core::ShardId) override {}
  bool post(core::ShardId, core::ShardMessage m) override {
    posted.push_back(std::move(m));
    return true;
  }
  store::Store& store() override { return memory; }

  std::uint64_t now = 1'800'000'000'000'000ull;
  std::uint64_t rnd = 0;
  std::uint64_t bytes_out = 0;
  std::deque<core::ShardMessage> posted;
  store::MemoryStore memory;
};

protocol::Bytes frame_bytes(const protocol::ClientFrame& f) {
  protocol::Bytes b;
  protocol::encode(b, f);
  return b;
}

void login(core::Shard& shard, core::ConnId conn, const char* user) {
  shard.on_open(conn);
  auto hello = frame_bytes(protocol::Hello{1, "bench"});
  auto login = frame_bytes(protocol::Login{user});
  shard.on_frame(conn, protocol::split_frame(hello).frame);
  shard.on_frame(conn, protocol::split_frame(login).frame);
}

// Dev login, no rate limits: the benchmark measures the path, not the limiter.
core::CoreConfig unlimited_config() {
  core::CoreConfig cfg;
  cfg.insecure_dev_login = true;
  cfg.max_msgs_per_s = 1e12;
  cfg.max_bytes_per_s = 1e15;
  return cfg;
}

// Both users on one shard (the cross-shard hop is a mailbox push measured by the driver).
void BM_SendDeliverAck(benchmark::State& state) {
  auto payload_size = static_cast<std::size_t>(state.range(0));
  NullEnv env;
  core::Shard shard(0, unlimited_config(), 1, env);
  login(shard, 1, "alice");
  login(shard, 2, "bob");
  shard.end_turn();
  std::string payload(payload_size, 'p');
  std::uint64_t client_id = 1;
  std::uint64_t seq = 0;
  protocol::Bytes send_buf, ack_buf;
  for (auto _ : state) {
    send_buf.clear();
    protocol::encode(send_buf, protocol::Send{client_id++, "bob",
                                              {reinterpret_cast<const std::uint8_t*>(payload.data()),
                                               payload.size()}});
    shard.on_frame(1, protocol::split_frame(send_buf).frame);
    std::uint64_t id = core::make_message_id(1, 0, ++seq);
    ack_buf.clear();
    protocol::encode_ack(ack_buf, std::span<const std::uint64_t>(&id, 1));
    shard.on_frame(2, protocol::split_frame(ack_buf).frame);
    if ((seq & 63) == 0) shard.end_turn();
  }
  shard.end_turn();
  if (shard.metrics().acked.get() != seq) state.SkipWithError("not every message was acked");
  state.SetItemsProcessed(static_cast<std::int64_t>(seq));
  state.counters["rows_written"] = static_cast<double>(env.memory.stats().rows_written);
}
BENCHMARK(BM_SendDeliverAck)->Arg(16)->Arg(100)->Arg(1024);

// Offline recipient: SEND accepted and handed to the store in per-turn batches (MemoryStore
// completes at once, so this is the core's side of the durable path).
void BM_SendToOfflineInbox(benchmark::State& state) {
  NullEnv env;
  core::Shard shard(0, unlimited_config(), 1, env);
  login(shard, 1, "alice");
  shard.end_turn();
  std::string payload(100, 'p');
  std::uint64_t client_id = 1;
  protocol::Bytes buf;
  for (auto _ : state) {
    buf.clear();
    protocol::encode(buf, protocol::Send{client_id++, "bob",
                                         {reinterpret_cast<const std::uint8_t*>(payload.data()),
                                          payload.size()}});
    shard.on_frame(1, protocol::split_frame(buf).frame);
    if ((client_id & 63) == 0) shard.end_turn();
  }
  shard.end_turn();
  state.SetItemsProcessed(static_cast<std::int64_t>(client_id - 1));
}
BENCHMARK(BM_SendToOfflineInbox);

}  // namespace

BENCHMARK_MAIN();
