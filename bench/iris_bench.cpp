// iris-bench: the one benchmark command. Runs an iris-node and its floors on this machine, in one
// run, and prints a table: each figure beside a floor measured in the same run, the ratio, the
// target and whether it is met.
//
//   scripts/bench.sh                 (builds the release preset, then runs this)
//   build/release/bench/iris-bench [--quick] [--json FILE] [--keep DIR]
//
// Figures and their floors:
//   drained 1:1 throughput (sent, delivered and acked, to the last one)  vs iris-relay, the same
//       socket work with no engine logic (bench/iris_relay.cpp), driven by the same iris-load
//       (100 connections x 16 in flight, in 2 processes);
//   server CPU per delivered-and-acked message over that drain           vs the relay's;
//   lock-step round trip p50/p99 (send -> SEND_ACK, one in flight)       vs the raw loopback round
//       trip (a blocking echo of the same frame size), and the relay's lock-step;
//   open-loop latency p50/p99/p99.9 at 50 % of the drained maximum;
//   server RSS per idle authenticated session at 19,000 sessions, clients in two other processes
//       on two source addresses                                         vs the relay's;
//   durable ingest to one hot recipient (guaranteed mode: every message committed with
//       synchronous=FULL before its SEND_ACK, group commit), with the count delivered
//                                                                        vs the store alone;
//   simulator events per second                                          vs its event queue alone.
// Every child process is bounded in time and killed at the end. Exit status: 0 when every figure
// was measured (met or not), 1 when a step could not be measured.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/metrics/histogram.h"
#include "engine/store/sqlite_store.h"

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

extern char** environ;

namespace {

struct Settings {
  bool quick = false;
  fs::path app_dir, bench_dir, work;
  std::string json_out;
  std::string only;  // one step: throughput, idle, durable, simulator ("" : all)
  // Sizes (full / quick).
  std::uint64_t drain_messages = 2'000'000;
  std::uint32_t drain_connections = 100, drain_inflight = 16;
  // Generator processes for the drain and the open loop: two lift the relay (the floor) from
  // ~440,000 to ~700,000 msg/s on 2 cores, where one process was the limit.
  std::uint32_t load_processes = 2;
  double lockstep_s = 5, open_s = 10;
  std::uint32_t open_connections = 200;
  std::uint32_t idle_sessions = 19'000;
  std::uint64_t durable_messages = 500'000;
  std::uint32_t durable_senders = 200;
  std::uint64_t sim_users = 10'000;
  double sim_seconds = 10;
  void make_quick() {
    quick = true;
    drain_messages = 40'000;
    drain_connections = 20;
    lockstep_s = 1;
    open_s = 2;
    open_connections = 20;
    idle_sessions = 1'000;
    durable_messages = 10'000;
    durable_senders = 20;
    sim_users = 1'000;
    sim_seconds = 2;
  }
};

// ---- child processes ----

struct Child {
  pid_t pid = -1;
  fs::path log;
};

Child spawn(const std::vector<std::string>& args, const fs::path& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child c;
  c.log = log;
  if (posix_spawn(&c.pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return c;
}

// Waits for the child to exit, at most `timeout_s`; kills it after. Its exit code, or -1.
int wait_for(Child& c, double timeout_s) {
  if (c.pid <= 0) return -1;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(c.pid, &status, WNOHANG);
    if (r < 0) {  // not ours any more (already reaped)
      c.pid = -1;
      return -1;
    }
    if (r == c.pid) {
      c.pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (Clock::now() > deadline) {
      kill(c.pid, SIGKILL);
      waitpid(c.pid, &status, 0);
      c.pid = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void stop(Child& c) {
  if (c.pid <= 0) return;
  kill(c.pid, SIGTERM);
  if (wait_for(c, 10) < 0 && c.pid > 0) kill(c.pid, SIGKILL);
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Waits until `p` holds `needle` (bounded). False on timeout or when the child died.
bool wait_text(Child& c, const fs::path& p, const std::string& needle, double timeout_s) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (Clock::now() < deadline) {
    if (read_text(p).find(needle) != std::string::npos) return true;
    int status = 0;
    if (c.pid > 0 && waitpid(c.pid, &status, WNOHANG) == c.pid) {
      c.pid = -1;  // reaped: nothing to stop later
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// CPU time of every thread of a process, in nanoseconds (/proc/PID/task/*/schedstat).
double cpu_ns(pid_t pid) {
  double total = 0;
  std::error_code ec;
  for (const auto& t : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream f(t.path() / "schedstat");
    double on_cpu = 0;
    if (f >> on_cpu) total += on_cpu;
  }
  return total;
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

std::uint16_t free_port() {
  static std::mt19937 rng(std::random_device{}());
  static std::vector<std::uint16_t> given;  // never the same port twice in one run
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<std::uint16_t>(20000 + rng() % 12000);
    if (std::find(given.begin(), given.end(), port) != given.end()) continue;
    asio::io_context io;
    tcp::acceptor a(io);
    boost::system::error_code ec;
    a.open(tcp::v4(), ec);
    if (!ec) a.bind({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) {
      given.push_back(port);
      return port;
    }
  }
  return 0;
}

std::optional<json::object> read_json(const fs::path& p) {
  boost::system::error_code ec;
  auto v = json::parse(read_text(p), ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

double num(const json::object& o, std::initializer_list<const char*> path) {
  const json::value* v = nullptr;
  const json::object* at = &o;
  for (const char* k : path) {
    v = at->if_contains(k);
    if (!v) return 0;
    if (v->is_object()) at = &v->as_object();
  }
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  if (v->is_bool()) return v->as_bool() ? 1 : 0;
  return 0;
}

// ---- the table ----

struct Row {
  std::string what, figure, floor, ratio, target, verdict;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string thousands(double v) {
  std::string s = std::to_string(static_cast<long long>(v + 0.5));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

class Bench {
 public:
  explicit Bench(Settings s) : s_(std::move(s)) {}

  int run();

 private:
  Child start_node(const std::string& name, std::uint16_t port, std::vector<std::string> extra);
  Child start_relay(const std::string& name, std::uint16_t port, std::uint16_t echo_port);
  std::optional<json::object> load(const std::string& name, std::vector<std::string> args,
                                   double timeout_s);
  void raw_rtt(std::uint16_t echo_port);
  void throughput_and_latency();
  void idle_memory();
  void durable_ingest();
  void simulator();
  void fail(const std::string& step, const std::string& why) {
    std::fprintf(stderr, "iris-bench: %s: %s\n", step.c_str(), why.c_str());
    ok_ = false;
  }
  void print_table();

  Settings s_;
  bool ok_ = true;
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
  json::object out_;
  iris::metrics::HistogramSnapshot raw_;  // raw loopback round trips, µs
};

Child Bench::start_node(const std::string& name, std::uint16_t port, std::vector<std::string> extra) {
  const fs::path dir = s_.work / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> args{(s_.app_dir / "iris-node").string(),
                                "--node-id", name,
                                "--listen", "127.0.0.1:" + std::to_string(port),
                                "--data-dir", (dir / "data").string(),
                                "--port-file", (dir / "ports.json").string(),
                                "--shards", "2",
                                "--insecure-dev-login",
                                "--log-level", "warn"};
  args.insert(args.end(), extra.begin(), extra.end());
  Child c = spawn(args, dir / "node.log");
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline && !(fs::exists(dir / "ports.json") && fs::file_size(dir / "ports.json") > 0)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!fs::exists(dir / "ports.json")) {
    fail(name, "iris-node did not start; its log: " + (dir / "node.log").string());
    stop(c);
  }
  return c;
}

Child Bench::start_relay(const std::string& name, std::uint16_t port, std::uint16_t echo_port) {
  const fs::path dir = s_.work / name;
  fs::create_directories(dir);
  std::vector<std::string> args{(s_.bench_dir / "iris-relay").string(), "--listen",
                                "127.0.0.1:" + std::to_string(port), "--threads", "2"};
  if (echo_port) {
    args.push_back("--echo-listen");
    args.push_back("127.0.0.1:" + std::to_string(echo_port));
  }
  Child c = spawn(args, dir / "relay.log");
  if (!wait_text(c, dir / "relay.log", "listening", 10)) {
    fail(name, "iris-relay did not start; its log: " + (dir / "relay.log").string());
    stop(c);
  }
  return c;
}

std::optional<json::object> Bench::load(const std::string& name, std::vector<std::string> args,
                                        double timeout_s) {
  const fs::path dir = s_.work / "load";
  fs::create_directories(dir);
  const fs::path out = dir / (name + ".json");
  fs::remove(out);
  args.insert(args.begin(), (s_.app_dir / "iris-load").string());
  args.push_back("--json");
  args.push_back(out.string());
  Child c = spawn(args, dir / (name + ".log"));
  const int rc = wait_for(c, timeout_s);
  auto j = read_json(out);
  if (rc != 0 || !j) {
    fail(name, "iris-load exited " + std::to_string(rc) + "; its output: " + (dir / (name + ".log")).string());
    return std::nullopt;
  }
  return j;
}

// The raw loopback round trip: one frame-sized write, its echo read back, one at a time.
void Bench::raw_rtt(std::uint16_t echo_port) {
  try {
    asio::io_context io;
    tcp::socket sock(io);
    sock.connect({asio::ip::make_address("127.0.0.1"), echo_port});
    sock.set_option(tcp::no_delay(true));
    std::vector<char> frame(96, 'x');  // a SEND of a 64-byte payload to a short user id
    std::vector<char> back(frame.size());
    const auto until = Clock::now() + std::chrono::duration<double>(s_.lockstep_s);
    const auto warm = Clock::now() + std::chrono::milliseconds(300);
    while (Clock::now() < until) {
      const auto t0 = Clock::now();
      asio::write(sock, asio::buffer(frame));
      asio::read(sock, asio::buffer(back));
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
      if (t0 < warm) continue;
      const int b = iris::metrics::bucket_of(static_cast<std::uint64_t>(us));
      ++raw_.counts[static_cast<std::size_t>(b)];
      ++raw_.total;
      raw_.max = std::max<std::uint64_t>(raw_.max, static_cast<std::uint64_t>(us));
    }
  } catch (const std::exception& e) {
    fail("raw loopback", e.what());
  }
}

void Bench::throughput_and_latency() {
  const std::uint16_t relay_port = free_port(), echo_port = free_port(), node_port = free_port();
  const auto conns = std::to_string(s_.drain_connections);
  const auto inflight = std::to_string(s_.drain_inflight);
  const auto messages = std::to_string(s_.drain_messages);
  const double drain_bound = s_.quick ? 60 : 120;
  auto drained = [&](const std::string& name, std::uint16_t port, pid_t server,
                     double& per_s, double& cpu_us) {
    // A warm-up drain of a fifth of the messages first (not measured): the server's first
    // messages fault in its memory and grow its allocator's arenas, once per process.
    auto warm = load(name + "-warmup",
                     {"--target", "127.0.0.1:" + std::to_string(port), "--mode", "closed",
                      "--pattern", "pairs", "--connections", conns, "--inflight", inflight,
                      "--messages", std::to_string(s_.drain_messages / 5), "--processes",
                      std::to_string(s_.load_processes), "--duration", std::to_string(drain_bound)},
                     drain_bound + 40);
    if (!warm) return false;
    const double c0 = cpu_ns(server);
    auto j = load(name, {"--target", "127.0.0.1:" + std::to_string(port), "--mode", "closed",
                         "--pattern", "pairs", "--connections", conns, "--inflight", inflight,
                         "--messages", messages, "--processes", std::to_string(s_.load_processes),
                         "--duration", std::to_string(drain_bound)},
                  drain_bound + 40);
    const double c1 = cpu_ns(server);
    if (!j) return false;
    if (!(c1 > c0)) {
      fail(name, "the server's CPU time could not be read (/proc/PID/task/*/schedstat)");
      return false;
    }
    per_s = num(*j, {"acked_per_s"});
    const double acked = num(*j, {"acked"}), delivered = num(*j, {"delivered"});
    if (!num(*j, {"drained"}) || delivered < acked || acked <= 0) {
      fail(name, "not every message was delivered and acked");
      return false;
    }
    cpu_us = (c1 - c0) / 1000.0 / acked;
    out_[name] = *j;
    return true;
  };
  auto lockstep = [&](const std::string& name, std::uint16_t port) -> std::optional<json::object> {
    return load(name, {"--target", "127.0.0.1:" + std::to_string(port), "--mode", "closed",
                       "--pattern", "hot", "--connections", "2", "--inflight", "1", "--warmup",
                       "0.3", "--duration", std::to_string(s_.lockstep_s)},
                s_.lockstep_s + 40);
  };

  // Floors: the raw loopback and the relay.
  Child relay = start_relay("relay", relay_port, echo_port);
  if (relay.pid <= 0) return;
  raw_rtt(echo_port);
  auto relay_ls = lockstep("relay-lockstep", relay_port);
  double relay_per_s = 0, relay_cpu_us = 0;
  const bool relay_ok = drained("relay-drain", relay_port, relay.pid, relay_per_s, relay_cpu_us);
  stop(relay);

  // Iris.
  Child node = start_node("node", node_port, {});
  if (node.pid <= 0) return;
  auto node_ls = lockstep("iris-lockstep", node_port);
  double per_s = 0, cpu_us = 0;
  const bool node_ok = drained("iris-drain", node_port, node.pid, per_s, cpu_us);
  std::optional<json::object> open, relay_open;
  double rate = 0;
  auto open_loop = [&](const std::string& name, std::uint16_t port) {
    return load(name, {"--target", "127.0.0.1:" + std::to_string(port), "--mode", "open",
                       "--pattern", "pairs", "--connections", std::to_string(s_.open_connections),
                       "--rate", fmt("%.0f", rate), "--processes", std::to_string(s_.load_processes),
                       "--warmup", "1", "--duration", std::to_string(s_.open_s)},
                s_.open_s + 60);
  };
  if (node_ok) {
    rate = std::max(1000.0, per_s * 0.5);
    open = open_loop("iris-open", node_port);
  }
  stop(node);
  if (open) {  // the floor at the same offered rate: the relay, driven by the same generator
    const std::uint16_t port = free_port();
    Child relay2 = start_relay("relay-open", port, 0);
    if (relay2.pid > 0) relay_open = open_loop("relay-open", port);
    stop(relay2);
  }

  if (node_ok && relay_ok) {
    const double ratio = per_s / relay_per_s;
    rows_.push_back({"drained 1:1 throughput, delivered + acked", thousands(per_s) + " msg/s",
                     thousands(relay_per_s) + " msg/s (relay)", fmt("%.2f", ratio),
                     ">= 500,000 msg/s and >= 0.50 of relay",
                     per_s >= 500'000 && ratio >= 0.5 ? "met" : "not met"});
    rows_.push_back({"server CPU per message (whole drain)", fmt("%.2f us", cpu_us),
                     fmt("%.2f us (relay)", relay_cpu_us), fmt("%.2f", cpu_us / relay_cpu_us),
                     "<= 1.5 us", cpu_us <= 1.5 ? "met" : "not met"});
    out_["drained_per_s"] = per_s;
    out_["relay_drained_per_s"] = relay_per_s;
    out_["cpu_us_per_msg"] = cpu_us;
    out_["relay_cpu_us_per_msg"] = relay_cpu_us;
  }
  if (node_ls && raw_.total > 0) {
    const double raw50 = static_cast<double>(raw_.quantile(0.5));
    const double raw99 = static_cast<double>(raw_.quantile(0.99));
    // Two figures, both judged against the raw round trip: send -> delivery crosses loopback
    // twice (client -> node -> client), as the echo does; send -> SEND_ACK also waits for the
    // recipient's ACK (Iris acknowledges a send once it is delivered-and-acked or durable), so it
    // crosses four times. The relay acknowledges at once.
    for (const char* h : {"delivery_latency_ms", "ack_latency_ms"}) {
      const bool delivery = std::string(h) == "delivery_latency_ms";
      const double p50 = num(*node_ls, {h, "p50"}) * 1000;
      const double p99 = num(*node_ls, {h, "p99"}) * 1000;
      std::string relay_note;
      if (relay_ls) {
        relay_note = fmt("; relay %.0f", num(*relay_ls, {h, "p50"}) * 1000) +
                     fmt(" / %.0f us", num(*relay_ls, {h, "p99"}) * 1000);
      }
      rows_.push_back({delivery ? "lock-step send -> delivery p50 / p99"
                                : "lock-step send -> SEND_ACK p50 / p99 (after the recipient's ACK)",
                       fmt("%.0f", p50) + fmt(" / %.0f us", p99),
                       fmt("raw loopback %.0f", raw50) + fmt(" / %.0f us", raw99) + relay_note,
                       fmt("%.2f", p50 / raw50) + fmt(" / %.2f", p99 / raw99), "p99 <= 1.2 x raw p99",
                       p99 <= 1.2 * raw99 ? "met" : "not met"});
    }
    if (relay_ls) out_["relay-lockstep"] = *relay_ls;
    out_["iris-lockstep"] = *node_ls;
    out_["raw_rtt_us"] = json::object{{"p50", raw50}, {"p99", raw99}, {"count", raw_.total}};
  }
  if (open) {
    auto q = [](const json::object& j, const char* h, const char* p) { return num(j, {h, p}); };
    const double p99 = q(*open, "ack_latency_ms", "p99"), p999 = q(*open, "ack_latency_ms", "p999");
    const double acked = num(*open, {"acked"}), sent = num(*open, {"sent"});
    std::string floor = "-", ratio = "-";
    if (relay_open) {
      floor = "relay " + fmt("%.2f", q(*relay_open, "ack_latency_ms", "p50")) +
              fmt(" / %.2f", q(*relay_open, "ack_latency_ms", "p99")) +
              fmt(" / %.2f ms", q(*relay_open, "ack_latency_ms", "p999"));
      ratio = fmt("%.2f", p99 / std::max(1e-3, q(*relay_open, "ack_latency_ms", "p99")));
      out_["relay-open"] = *relay_open;
      notes_.push_back(fmt("open loop: iris-load sent late by p99 %.2f ms", q(*open, "send_lag_ms", "p99")) +
                       fmt(" against iris-node and %.2f ms against the relay", q(*relay_open, "send_lag_ms", "p99")) +
                       " (the generator shares the 2 cores; its lag is inside the latencies)");
    }
    rows_.push_back({"open loop at 50 % of max (" + thousands(rate) + "/s), send -> SEND_ACK p50/p99/p99.9",
                     fmt("%.2f", q(*open, "ack_latency_ms", "p50")) + fmt(" / %.2f", p99) +
                         fmt(" / %.2f ms", p999),
                     floor, ratio, "p99 <= 1 ms, p99.9 <= 5 ms",
                     p99 <= 1 && p999 <= 5 && acked >= sent ? "met" : "not met"});
    out_["iris-open"] = *open;
  }
}

// Server RSS per idle authenticated session: clients in two iris-load processes, each on its own
// source address, log in and stay; the server's RSS after they are all in, minus before.
void Bench::idle_memory() {
  auto measure = [&](const std::string& name, bool relay, double& bytes_per) {
    const std::uint16_t port = free_port();
    Child server = relay ? start_relay(name, port, 0)
                         : start_node(name, port, {"--max-connections", "19500"});
    if (server.pid <= 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long before = rss_kib(server.pid);
    const std::uint32_t per = s_.idle_sessions / 2;
    std::vector<Child> clients;
    const fs::path dir = s_.work / "load";
    fs::create_directories(dir);
    for (int i = 0; i < 2; ++i) {
      const std::uint32_t n = i == 0 ? per : s_.idle_sessions - per;
      clients.push_back(spawn({(s_.app_dir / "iris-load").string(), "--target",
                               "127.0.0.1:" + std::to_string(port), "--pattern", "idle",
                               "--connections", std::to_string(n), "--bind",
                               "127.0.0." + std::to_string(2 + i), "--users-prefix",
                               "idle" + std::to_string(i) + "-", "--warmup", "0",
                               "--duration", "60"},
                              dir / (name + "-" + std::to_string(i) + ".log")));
    }
    bool all_in = true;
    std::string why;
    for (int i = 0; i < 2; ++i) {
      const std::uint32_t n = i == 0 ? per : s_.idle_sessions - per;
      const std::string want = std::to_string(n) + " of " + std::to_string(n) + " connections logged in";
      auto& client = clients[static_cast<std::size_t>(i)];
      if (!wait_text(client, client.log, want, 60)) {
        all_in = false;
        std::ifstream in(client.log);  // its "N of M connections logged in; first error: ..."
        for (std::string line; std::getline(in, line);) {
          if (line.find("connections logged in") != std::string::npos) why = line;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the last turns settle
    const long after = rss_kib(server.pid);
    for (auto& c : clients) stop(c);
    stop(server);
    if (!all_in) {
      fail(name, "not every idle session logged in (" + (why.empty() ? "no report" : why) +
                     "; logs in " + dir.string() + ")");
      return false;
    }
    bytes_per = static_cast<double>(after - before) * 1024.0 / s_.idle_sessions;
    out_[name] = json::object{{"sessions", s_.idle_sessions}, {"rss_before_kib", before},
                              {"rss_after_kib", after}, {"bytes_per_session", bytes_per}};
    return true;
  };
  double node_b = 0, relay_b = 0;
  const bool relay_ok = measure("relay-idle", true, relay_b);
  const bool node_ok = measure("iris-idle", false, node_b);
  if (node_ok) {
    rows_.push_back({"server RSS per idle session (" + thousands(s_.idle_sessions) + ")",
                     thousands(node_b) + " B", relay_ok ? thousands(relay_b) + " B (relay)" : "-",
                     relay_ok && relay_b > 0 ? fmt("%.2f", node_b / relay_b) : "-", "<= 2,048 B",
                     node_b <= 2048 ? "met" : "not met"});
  }
}

// Durable ingest to one hot recipient. Floor: the same SqliteStore alone, in this process, taking
// one-row appends as fast as its group commit allows (guaranteed mode).
void Bench::durable_ingest() {
  double floor_per_s = 0;
  {
    const fs::path dir = s_.work / "store-floor";
    fs::remove_all(dir);
    iris::store::SqliteStoreOptions so;
    so.path = (dir / "inbox.db").string();
    so.durability = iris::store::Durability::kGuaranteed;
    auto store = iris::store::SqliteStore::open(so);
    if (!store) {
      fail("store floor", store.status().to_string());
      return;
    }
    const std::uint64_t n = s_.durable_messages;
    std::atomic<std::uint64_t> done{0}, errors{0};
    const std::string payload(64, 'x');
    const auto t0 = Clock::now();
    for (std::uint64_t i = 1; i <= n; ++i) {
      while (i - done.load() > 60'000) std::this_thread::sleep_for(std::chrono::microseconds(50));
      std::vector<iris::store::StoredMessage> rows(1);
      rows[0] = {i, "hot", "s" + std::to_string(i % s_.durable_senders), i, 0, 0, payload, ""};
      (*store)->append(std::move(rows), [&](iris::Status st) {
        if (!st) errors.fetch_add(1);
        done.fetch_add(1);
      });
    }
    (*store)->flush();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    if (errors.load() || done.load() != n) {
      fail("store floor", "appends failed");
      return;
    }
    floor_per_s = static_cast<double>(n) / secs;
  }
  const std::uint16_t port = free_port();
  Child node = start_node("durable", port, {"--durability", "guaranteed", "--persist-delay-ms", "0",
                                            "--max-msgs-per-s", "1000000"});
  if (node.pid <= 0) return;
  auto j = load("iris-durable-hot",
                {"--target", "127.0.0.1:" + std::to_string(port), "--mode", "closed", "--pattern",
                 "hot", "--connections", std::to_string(s_.durable_senders + 1), "--inflight", "8",
                 "--messages", std::to_string(s_.durable_messages), "--duration", "120"},
                180);
  stop(node);
  if (!j) return;
  const double per_s = num(*j, {"acked_per_s"});
  const double acked = num(*j, {"acked"}), delivered = num(*j, {"delivered"});
  const double share = acked > 0 ? delivered / acked : 0;
  if (delivered < acked) fail("iris-durable-hot", "acknowledged messages were not delivered");
  rows_.push_back({"durable ingest, one hot recipient", thousands(per_s) + " msg/s, " +
                                                            fmt("%.1f %% delivered", share * 100),
                   thousands(floor_per_s) + " rows/s (store alone)", fmt("%.2f", per_s / floor_per_s),
                   ">= 100,000 msg/s, 100 % delivered",
                   per_s >= 100'000 && delivered >= acked && acked == static_cast<double>(s_.durable_messages)
                       ? "met" : "not met"});
  out_["iris-durable-hot"] = *j;
  out_["store_floor_rows_per_s"] = floor_per_s;
}

void Bench::simulator() {
  const fs::path out = s_.work / "simulator.json";
  fs::remove(out);
  Child c = spawn({(s_.bench_dir / "bench_simulator").string(), "--users", std::to_string(s_.sim_users),
                   "--seconds", fmt("%.0f", s_.sim_seconds), "--json", out.string()},
                  s_.work / "simulator.log");
  const int rc = wait_for(c, 300);
  auto j = read_json(out);
  if (rc != 0 || !j) {
    fail("simulator", "bench_simulator exited " + std::to_string(rc));
    return;
  }
  const double eps = num(*j, {"events_per_s"}), floor = num(*j, {"floor_events_per_s"});
  rows_.push_back({"simulator events/s (one core)", thousands(eps), thousands(floor) + " (event queue alone)",
                   fmt("%.2f", eps / floor), ">= 1,000,000", eps >= 1e6 ? "met" : "not met"});
  out_["simulator"] = *j;
}

void Bench::print_table() {
  std::vector<std::size_t> w(6, 0);
  const Row head{"figure", "Iris", "floor (same run)", "ratio", "target", "verdict"};
  auto widen = [&](const Row& r) {
    const std::string* f[] = {&r.what, &r.figure, &r.floor, &r.ratio, &r.target, &r.verdict};
    for (std::size_t i = 0; i < 6; ++i) w[i] = std::max(w[i], f[i]->size());
  };
  widen(head);
  for (const auto& r : rows_) widen(r);
  auto line = [&](const Row& r) {
    const std::string* f[] = {&r.what, &r.figure, &r.floor, &r.ratio, &r.target, &r.verdict};
    std::printf("|");
    for (std::size_t i = 0; i < 6; ++i) std::printf(" %-*s |", static_cast<int>(w[i]), f[i]->c_str());
    std::printf("\n");
  };
  line(head);
  std::printf("|");
  for (std::size_t i = 0; i < 6; ++i) std::printf("%s|", std::string(w[i] + 2, '-').c_str());
  std::printf("\n");
  for (const auto& r : rows_) line(r);
}

std::string machine() {
  std::ifstream f("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  struct utsname u {};
  uname(&u);
  std::ifstream m("/proc/meminfo");
  std::string k;
  long mem_kib = 0;
  m >> k >> mem_kib;
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return std::string(date) + ", " + model + ", " + std::to_string(std::thread::hardware_concurrency()) +
         " cores, " + fmt("%.0f GiB", static_cast<double>(mem_kib) / 1024 / 1024) + ", Linux " + u.release;
}

int Bench::run() {
  const std::string where = machine();
  std::printf("iris-bench%s: %s\n", s_.quick ? " --quick (sizes too small for the targets)" : "",
              where.c_str());
  std::printf("work dir %s\n\n", s_.work.c_str());
  std::fflush(stdout);
  const auto t0 = Clock::now();
  auto step = [&](const char* name, const char* what, const std::function<void()>& f) {
    if (!s_.only.empty() && s_.only != name) return;
    std::fprintf(stderr, "iris-bench: %s...\n", what);
    f();
  };
  step("throughput", "throughput, CPU and latency (relay, raw loopback, iris-node)", [&] { throughput_and_latency(); });
  step("idle", "idle sessions (relay, iris-node)", [&] { idle_memory(); });
  step("durable", "durable hot ingest (store alone, iris-node)", [&] { durable_ingest(); });
  step("simulator", "simulator", [&] { simulator(); });
  print_table();
  for (const auto& n : notes_) std::printf("- %s\n", n.c_str());
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("\n%zu figures in %.0f s; %s\n", rows_.size(), secs,
              ok_ ? "every step measured" : "SOME STEPS FAILED (see above)");
  out_["machine"] = where;
  out_["quick"] = s_.quick;
  out_["ok"] = ok_;
  json::array table;
  for (const auto& r : rows_) {
    table.push_back(json::object{{"figure", r.what}, {"iris", r.figure}, {"floor", r.floor},
                                 {"ratio", r.ratio}, {"target", r.target}, {"verdict", r.verdict}});
  }
  out_["table"] = std::move(table);
  if (!s_.json_out.empty()) {
    std::ofstream f(s_.json_out);
    f << json::serialize(out_) << "\n";
    if (!f) {
      std::fprintf(stderr, "iris-bench: cannot write %s\n", s_.json_out.c_str());
      return 1;
    }
  }
  return ok_ ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  const fs::path self = fs::canonical("/proc/self/exe");
  s.bench_dir = self.parent_path();
  s.app_dir = s.bench_dir.parent_path() / "app";
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      s.make_quick();
    } else if (a == "--json" && i + 1 < argc) {
      s.json_out = argv[++i];
    } else if (a == "--only" && i + 1 < argc) {
      s.only = argv[++i];
      if (s.only != "throughput" && s.only != "idle" && s.only != "durable" && s.only != "simulator") {
        std::fprintf(stderr, "iris-bench: --only throughput, idle, durable or simulator\n");
        return 2;
      }
    } else if (a == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::puts("iris-bench [--quick] [--only STEP] [--json FILE] [--keep DIR]\n"
                "  --only   one step: throughput, idle, durable or simulator\n"
                "  --quick  small sizes (a smoke run: the figures mean little)\n"
                "  --json   write every figure and the raw iris-load results as JSON\n"
                "  --keep   work in DIR and keep the logs (default: a temporary dir, removed)");
      return 0;
    } else {
      std::fprintf(stderr, "iris-bench: unknown argument %s (--help)\n", a.c_str());
      return 2;
    }
  }
  for (const char* bin : {"iris-node", "iris-load"}) {
    if (!fs::exists(s.app_dir / bin)) {
      std::fprintf(stderr, "iris-bench: %s not found in %s (build it)\n", bin, s.app_dir.c_str());
      return 2;
    }
  }
  for (const char* bin : {"iris-relay", "bench_simulator"}) {
    if (!fs::exists(s.bench_dir / bin)) {
      std::fprintf(stderr, "iris-bench: %s not found in %s (build it)\n", bin, s.bench_dir.c_str());
      return 2;
    }
  }
  const bool temporary = keep.empty();
  s.work = temporary ? fs::temp_directory_path() / ("iris-bench-" + std::to_string(getpid())) : fs::path(keep);
  fs::create_directories(s.work);
  signal(SIGPIPE, SIG_IGN);
  const int rc = Bench(s).run();
  if (temporary && rc == 0) fs::remove_all(s.work);
  if (rc != 0) std::fprintf(stderr, "iris-bench: logs kept in %s\n", s.work.c_str());
  return rc;
}
