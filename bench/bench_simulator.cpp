// bench_simulator: how fast and how large the deterministic simulator runs.
//
//   bench_simulator [--nodes N] [--users U] [--seconds S] [--rate R] [--seed X] [--json FILE]
//
// Builds an N-node SimCluster with U virtual users (each a ClientCore, logged in at its home),
// lets every user send to a random other user at R messages/s for S virtual seconds, drains,
// and prints: simulated events per real second (one core), the floor (the same World running
// empty events: the event queue alone) and the ratio, messages delivered, whether every invariant
// held, and peak memory per virtual user. Figures, not assertions.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "simulator/sim_cluster.h"

using namespace iris::sim;

namespace {

long rss_kib(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return 0;
}

std::string user(std::uint64_t i) {
  return "u" + std::to_string(i);
}

double floor_events_per_s() {
  World w(1);
  const std::uint64_t n = 5'000'000;
  std::uint64_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < n; ++i) {
    w.at(w.now_us() + (i % 1000), [&sink] { ++sink; });
    if (w.pending() > 4096) w.step();
  }
  while (w.step()) {
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sink == n ? static_cast<double>(n) / s : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t nodes = 3;
  std::uint64_t users = 10'000, seed = 1;
  double seconds = 10, rate = 1;
  std::string json_out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--json") {
      json_out = argv[i + 1];
      continue;
    }
    double v = std::stod(argv[i + 1]);
    if (k == "--nodes")
      nodes = static_cast<std::uint32_t>(v);
    else if (k == "--users")
      users = static_cast<std::uint64_t>(v);
    else if (k == "--seconds")
      seconds = v;
    else if (k == "--rate")
      rate = v;
    else if (k == "--seed")
      seed = static_cast<std::uint64_t>(v);
    else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::err);
  const long rss0 = rss_kib("VmRSS:");
  const double floor = floor_events_per_s();

  SimConfig cfg;
  cfg.nodes = nodes;
  auto t_build = std::chrono::steady_clock::now();
  SimCluster c(cfg, seed);
  World& w = c.world();
  Rng rng(seed ^ 0xbe7c);
  for (std::uint64_t i = 0; i < users; ++i) c.add_client(user(i));
  w.run_until(w.now_us() + 2'000'000);  // logins, redirects, links
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_build).count();
  const std::uint64_t events0 = w.events_run();
  const std::size_t pending0 = w.pending();

  // Open loop: U * R messages per virtual second, from random senders to random recipients.
  const std::uint64_t t0 = w.now_us();
  const std::uint64_t t1 = t0 + static_cast<std::uint64_t>(seconds * 1e6);
  const double per_s = static_cast<double>(users) * rate;
  const std::uint64_t gap_us = per_s > 0 ? static_cast<std::uint64_t>(1e6 / per_s) + 1 : t1;
  std::uint64_t sent = 0;
  auto t_run = std::chrono::steady_clock::now();
  std::size_t peak_pending = 0;
  for (std::uint64_t t = t0; t < t1; t += std::max<std::uint64_t>(gap_us, 1000)) {
    w.run_until(t);
    peak_pending = std::max(peak_pending, w.pending());
    std::uint64_t batch = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(per_s / 1000));
    for (std::uint64_t k = 0; k < batch; ++k) {
      std::uint64_t a = rng.below(users), b = rng.below(users);
      if (a == b) b = (b + 1) % users;
      if (c.send(user(a), user(b), "bench payload " + std::to_string(sent)) != 0) ++sent;
    }
  }
  for (int i = 0; i < 3000 && !c.settled(); ++i) w.run_until(w.now_us() + 10'000);
  const double run_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_run).count();
  const std::uint64_t events = w.events_run() - events0;
  c.checker().finish();
  const long hwm = rss_kib("VmHWM:");
  const double eps = static_cast<double>(events) / run_s;

  std::printf("simulator: %u nodes, %llu users, %.0f s virtual at %.2f msgs/s per user\n", nodes,
              static_cast<unsigned long long>(users), seconds, rate);
  std::printf("  set-up (logins) %.2f s real; %zu events pending after it\n", build_s, pending0);
  std::printf("  events           %llu in %.2f s real = %.0f events/s on one core\n",
              static_cast<unsigned long long>(events), run_s, eps);
  std::printf("  queue            at most %zu events pending (sampled every ms)\n", peak_pending);
  std::printf("  floor            %.0f events/s (World alone, empty events); ratio %.3f\n", floor,
              floor > 0 ? eps / floor : 0);
  std::printf("  messages         %llu sent, %llu acked, %llu delivered; invariants %s\n",
              static_cast<unsigned long long>(c.checker().sent()),
              static_cast<unsigned long long>(c.checker().acked()),
              static_cast<unsigned long long>(c.checker().delivered()),
              c.checker().ok() && c.settled() ? "all held" : "VIOLATED");
  std::printf("  memory           peak RSS %.1f MiB; %.0f bytes per virtual user\n",
              static_cast<double>(hwm) / 1024,
              users ? static_cast<double>(hwm - rss0) * 1024 / static_cast<double>(users) : 0.0);
  std::printf(
      "  replay           bench_simulator --nodes %u --users %llu --seconds %.0f --rate %g "
      "--seed %llu\n",
      nodes, static_cast<unsigned long long>(users), seconds, rate,
      static_cast<unsigned long long>(seed));
  const bool ok = c.checker().ok() && c.settled();
  if (!json_out.empty()) {
    std::ofstream f(json_out);
    f << "{\"nodes\":" << nodes << ",\"users\":" << users << ",\"virtual_s\":" << seconds
      << ",\"events\":" << events << ",\"real_s\":" << run_s
      << ",\"events_per_s\":" << static_cast<std::uint64_t>(eps)
      << ",\"floor_events_per_s\":" << static_cast<std::uint64_t>(floor)
      << ",\"delivered\":" << c.checker().delivered() << ",\"invariants_held\":"
      << (ok ? "true" : "false") << ",\"peak_rss_kib\":" << hwm << "}\n";
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", json_out.c_str());
      return 2;
    }
  }
  return ok ? 0 : 1;
}
