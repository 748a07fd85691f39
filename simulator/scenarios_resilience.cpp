// R1-R6 (resilience), C1-C3 (combined chaos), and the extra scenarios HOT and MIX (the seed
// sweep's random faults). ../FIRE_TESTS has the catalog; docs/fire-tests.md each one's budget.

#include "simulator/fire_run.h"
#include "simulator/sim_cluster.h"

namespace iris::sim {

namespace {

using Bound = Figure::Bound;

// One random fault of the kinds in `kinds` (indices below), from `at` for `len`, undone after.
// 0 kill/restart, 1 partition (sometimes one-way), 2 disk errors, 3 slow disk, 4 stalled disk,
// 5 slow consumer, 6 clog, 7 disk full, 8 lossy peer links, 9 CPU burn, 10 memory pressure,
// 11 one slow and lossy peer link (sometimes one way).
void random_fault(FireRun& run, std::uint64_t at, std::uint64_t len, std::uint32_t users,
                  std::uint32_t kinds = 12) {
  Rng& rng = run.rng();
  const std::uint32_t n = run.target().size();
  auto node = static_cast<std::uint32_t>(rng.below(n));
  switch (rng.below(kinds)) {
    case 0:
      run.fault_at(at, KillNode{node});
      run.fault_at(at + len, RestartNode{node});
      break;
    case 1: {
      auto other = static_cast<std::uint32_t>((node + 1 + rng.below(n - 1)) % n);
      run.fault_at(at, Partition{{node}, {other}, rng.chance(0.3)});
      run.fault_at(at + len, Heal{});
      break;
    }
    case 2:
      run.fault_at(at, DiskErrors{node, true});
      run.fault_at(at + len, DiskErrors{node, false});
      break;
    case 3:
      run.fault_at(at, SlowDisk{node, 20'000});
      run.fault_at(at + len, SlowDisk{node, 0});
      break;
    case 4:
      run.fault_at(at, StallDisk{node, len});
      break;
    case 5: {
      std::string u = FireRun::user(static_cast<std::uint32_t>(rng.below(users)));
      run.fault_at(at, SlowConsumer{u, true});
      run.fault_at(at + len, SlowConsumer{u, false});
      break;
    }
    case 7:
      run.fault_at(at, DiskFull{node, true});
      run.fault_at(at + len, DiskFull{node, false});
      break;
    case 8:
      run.fault_at(at, LossyLinks{0.002 + rng.unit() * 0.02});
      run.fault_at(at + len, LossyLinks{0});
      break;
    case 9:
      run.fault_at(at, CpuBurn{node, 2'000 + rng.below(20'000)});
      run.fault_at(at + len, CpuBurn{node, 0});
      break;
    case 10:
      run.fault_at(at, MemoryPressure{node, 2'000 + rng.below(8'000)});
      run.fault_at(at + len, MemoryPressure{node, 0});
      break;
    case 11: {
      auto other = static_cast<std::uint32_t>((node + 1 + rng.below(n - 1)) % n);
      const bool one_way = rng.chance(0.3);
      run.fault_at(at, DegradeLink{node, other, rng.below(100'000), rng.unit() * 0.1, one_way});
      run.fault_at(at + len, DegradeLink{node, other, 0, 0, one_way});
      break;
    }
    default:
      run.fault_at(at, ClogNode{node, 50'000});
      run.fault_at(at + len, ClogNode{node, 0});
      break;
  }
}

// `count` random faults starting in [from_s, until_s), each lasting 0.3-3.3 s.
void random_faults(FireRun& run, int count, double from_s, double until_s, std::uint32_t users,
                   std::uint32_t kinds = 12) {
  for (int k = 0; k < count; ++k) {
    std::uint64_t at = run.at_s(from_s) +
                       run.rng().below(static_cast<std::uint64_t>((until_s - from_s) * kSecond));
    std::uint64_t len = 300'000 + run.rng().below(3 * kSecond);
    random_fault(run, at, len, users, kinds);
  }
}

// Sum of a node counter over the cluster's last snapshot.
template <typename Field>
double node_sum(FireRun& run, Field field) {
  double sum = 0;
  for (const auto& n : run.target().snapshot().nodes) sum += static_cast<double>(n.*field);
  return sum;
}

void nodes(SimConfig& c, std::uint32_t n) {
  c.nodes = n;
}

ScenarioDef r1() {
  return {{"R1", "Split brain",
           "Pairs chatting with churn across 3 nodes; node 0 is cut off from nodes 1-2 for 5 s, "
           "then healed. Passes with no acknowledged loss, no duplicate, order per pair, no user "
           "online on two nodes at once, and convergence within 10 s of the heal.",
           true},
          [](SimConfig& c, Scale) { nodes(c, 3); },
          [](FireRun& run) {
            const std::uint32_t users = run.users(60, 3000, 30000);
            run.add_users(0, users);
            run.chat(users, 1, 11, 5);
            run.fault_at(run.at_s(4), Partition{{0}, {1, 2}});
            run.fault_at(run.at_s(9), Heal{});
            run.run_until(run.at_s(11));
            run.heal_and_converge(10);
          }};
}

ScenarioDef r2() {
  return {{"R2", "Slow consumer",
           "Twenty flooders send to five readers, who stop reading for 4 s. Per-shard memory is "
           "capped at 256 KB and a stalled session is cut after 2 s. Passes when node memory stays "
           "under the cap, the backlog waits in the store and everything is delivered after, "
           "with no loss.",
           true},
          [](SimConfig& c, Scale) {
            nodes(c, 3);
            c.core.shard_memory_limit = 256 * 1024;
            c.core.user_memory_cap = 128;
            c.core.slow_consumer_timeout_us = 2 * kSecond;
          },
          [](FireRun& run) {
            const std::uint32_t readers = run.users(5, 50, 500);
            const std::uint32_t flooders = readers * 4;
            run.add_users(0, readers, {}, "r");
            run.add_users(0, flooders, {}, "f");
            for (std::uint32_t i = 0; i < readers; ++i) {
              FireRun::FanIn f;
              for (std::uint32_t k = 0; k < 4; ++k) f.senders.push_back(FireRun::user(i * 4 + k, "f"));
              f.recipient = FireRun::user(i, "r");
              f.total_per_s = 80;
              f.from_us = run.at_s(1);
              f.until_us = run.at_s(8);
              f.payload_bytes = 300;
              run.fan_in(f);
              run.fault_at(run.at_s(2), SlowConsumer{f.recipient, true});
              run.fault_at(run.at_s(6), SlowConsumer{f.recipient, false});
            }
            run.run_until(run.at_s(8));
            run.heal_and_converge(15);
            const double cap = 256.0 * 1024 * run.target().snapshot().nodes.front().shards.size();
            run.figure({"peak_node_memory_bytes", static_cast<double>(run.peak_memory_bytes()),
                        "B", "largest message bytes any node held in memory (engine accounting), "
                        "sampled every timeline bucket", cap, Bound::kAtMost, true});
            run.figure({"peak_store_rows", static_cast<double>(run.peak_store_rows()), "rows",
                        "rows in the stores at the fullest sample (the backlog kept on disk)", 1,
                        Bound::kAtLeast, true});
          }};
}

ScenarioDef r3() {
  return {{"R3", "Disk crusher",
           "Senders flood ten offline recipients while every node's disk turns slow (20 ms), "
           "stalls for 1 s, fills up, then fails every write. Passes with no acknowledged loss, "
           "sends refused with STORE_UNAVAILABLE while the disk cannot take them, and recovery "
           "within 15 s once the disks are healthy.",
           true},
          [](SimConfig& c, Scale) { nodes(c, 3); },
          [](FireRun& run) {
            const std::uint32_t recipients = run.users(10, 200, 2000);
            const std::uint32_t senders = recipients * 2;
            ClientSpec offline;
            offline.online = false;
            run.add_users(0, recipients, offline, "r");
            run.add_users(0, senders, {}, "s");
            for (std::uint32_t i = 0; i < recipients; ++i) {
              FireRun::FanIn f;
              f.senders = {FireRun::user(2 * i, "s"), FireRun::user(2 * i + 1, "s")};
              f.recipient = FireRun::user(i, "r");
              f.total_per_s = 20;
              f.from_us = run.at_s(1);
              f.until_us = run.at_s(9);
              run.fan_in(f);
            }
            const std::uint32_t n = run.target().size();
            for (std::uint32_t node = 0; node < n; ++node) {
              run.fault_at(run.at_s(1.5), SlowDisk{node, 20'000});
              run.fault_at(run.at_s(3), SlowDisk{node, 0});
              run.fault_at(run.at_s(3.5), StallDisk{node, kSecond});
              run.fault_at(run.at_s(5), DiskFull{node, true});
              run.fault_at(run.at_s(6.5), DiskFull{node, false});
              run.fault_at(run.at_s(7), DiskErrors{node, true});
              run.fault_at(run.at_s(8.5), DiskErrors{node, false});
            }
            run.run_until(run.at_s(10));
            for (std::uint32_t i = 0; i < recipients; ++i) {
              run.target().set_online(FireRun::user(i, "r"), true);
            }
            run.heal_and_converge(15);
            run.figure({"refused_store_unavailable", node_sum(run, &NodeSnapshot::refused_store),
                        "sends", "SEND answered STORE_UNAVAILABLE by the nodes (engine counters)",
                        1, Bound::kAtLeast, true});
          }};
}

ScenarioDef r4() {
  return {{"R4", "Backpressure",
           "Thirty senders offer 3x what the nodes will take: each session is limited to 40 "
           "messages/s and each offers 120/s for 4 s. Passes when the goodput stays within 20% "
           "of that capacity, senders are slowed (RETRY_LATER) rather than queued without bound, "
           "node memory stays under 8 MB, nothing is lost and the backlog drains after.",
           true},
          [](SimConfig& c, Scale) {
            nodes(c, 3);
            c.core.max_msgs_per_s = 40;
          },
          [](FireRun& run) {
            const std::uint32_t users = run.users(60, 600, 6000);
            run.add_users(0, users);
            const double capacity = 40.0 * (users / 2);  // senders: the even users
            for (std::uint32_t i = 0; i + 1 < users; i += 2) {
              FireRun::FanIn f;
              f.senders = {FireRun::user(i)};
              f.recipient = FireRun::user(i + 1);
              f.total_per_s = 120;
              f.from_us = run.at_s(1);
              f.until_us = run.at_s(5);
              run.fan_in(f);
            }
            run.run_until(run.at_s(5));
            const double acked_by_end = static_cast<double>(run.target().checker().acked());
            run.heal_and_converge(20);
            run.figure({"capacity_msgs_per_s", capacity, "msgs/s",
                        "sessions x the per-session rate limit (40/s)", {}, Bound::kAtMost, true});
            run.figure({"goodput_msgs_per_s", acked_by_end / 4, "msgs/s",
                        "messages acknowledged during the 4 s of overload / 4 s", 0.8 * capacity,
                        Bound::kAtLeast, true});
            run.figure({"refused_over_rate", node_sum(run, &NodeSnapshot::refused_rate), "sends",
                        "SEND answered RETRY_LATER for the session's rate limit (engine counters)",
                        1, Bound::kAtLeast, true});
            run.figure({"peak_node_memory_bytes", static_cast<double>(run.peak_memory_bytes()),
                        "B", "largest message bytes any node held in memory (engine accounting)",
                        8.0 * 1024 * 1024, Bound::kAtMost, true});
          }};
}

ScenarioDef r5() {
  return {{"R5", "Crash and restart",
           "Pairs chatting with churn; node 1 is killed (kill -9: unfinished disk writes lost) at "
           "3 s and restarted at 6 s, node 2 killed at 8 s and restarted at 9 s. Passes when every "
           "acknowledged message survives, sessions reconnect, no duplicate reaches an "
           "application, and it converges within 10 s.",
           true},
          [](SimConfig& c, Scale) { nodes(c, 3); },
          [](FireRun& run) {
            const std::uint32_t users = run.users(30, 3000, 30000);
            run.add_users(0, users);
            run.chat(users, 1, 11, 5);
            run.fault_at(run.at_s(4), KillNode{1});
            run.fault_at(run.at_s(7), RestartNode{1});
            run.fault_at(run.at_s(8), KillNode{2});
            run.fault_at(run.at_s(9), RestartNode{2});
            run.run_until(run.at_s(11));
            run.heal_and_converge(10);
          }};
}

ScenarioDef r6() {
  return {{"R6", "Rolling restart",
           "Steady pairs traffic (no churn, so every delay is the restarts') while each of the 3 "
           "nodes in turn drains (refuses new messages, persists, says BYE), stops and starts 1 s "
           "later. Passes with zero loss and a bounded latency spike: p99 under 3 s.",
           true},
          [](SimConfig& c, Scale) { nodes(c, 3); },
          [](FireRun& run) {
            const std::uint32_t users = run.users(60, 3000, 30000);
            run.add_users(0, users);
            run.pairs({0, users, 5, run.at_s(1), run.at_s(13), 100, "u"});
            for (std::uint32_t n = 0; n < run.target().size(); ++n) {
              run.fault_at(run.at_s(2 + 3.5 * n), DrainNode{n, kSecond});
            }
            run.run_until(run.at_s(13));
            run.heal_and_converge(10);
            run.budget("latency_p99_ms", 3000);
          }};
}

ScenarioDef c1() {
  return {{"C1", "Kitchen sink",
           "All workloads at once on 5 nodes (pairs with churn, a hot recipient, presence "
           "watchers) under random kills, partitions, slow disks and slow consumers. Passes when "
           "every invariant holds and it converges within 20 s of the heal.",
           true},
          [](SimConfig& c, Scale s) {
            nodes(c, s == Scale::kSmoke ? 5 : 7);
            c.core.hot_threshold_msgs_per_s = 50;
          },
          [](FireRun& run) {
            const std::uint32_t users = run.users(300, 50000, 100000);
            run.add_users(0, users);
            run.chat(users, 1, 15, 1);
            FireRun::FanIn hot;
            for (std::uint32_t i = 1; i < users; i += 5) hot.senders.push_back(FireRun::user(i));
            hot.recipient = FireRun::user(0);
            hot.total_per_s = run.by_scale(100.0, 1000.0, 2000.0);
            hot.from_us = run.at_s(1);
            hot.until_us = run.at_s(15);
            run.fan_in(hot);
            FireTarget& t = run.target();
            for (std::uint32_t i = 3; i < users; i += 7) {
              t.at(run.at_s(0.8), [&t, a = FireRun::user(i), b = FireRun::user((i * 13) % users)] {
                t.subscribe(a, b);
              });
            }
            // kill, partition, slow disk, stalled disk, slow consumer: kinds 0-5 but disk errors
            random_faults(run, 6, 2, 13, users, 6);
            run.run_until(run.at_s(15));
            run.heal_and_converge(20);
          }};
}

ScenarioDef c2() {
  return {{"C2", "Total chaos",
           "Pairs chatting with churn on 3 nodes while every node burns CPU (each frame and timer "
           "waits 2-20 ms more) and runs short of memory (64-512 KB per shard). Passes when "
           "nothing is lost, latency p99 stays under 5 s and it converges within 20 s.",
           true},
          [](SimConfig& c, Scale s) { nodes(c, s == Scale::kSmoke ? 3 : 5); },
          [](FireRun& run) {
            const std::uint32_t users = run.users(300, 50000, 100000);
            run.add_users(0, users);
            run.chat(users, 1, 13, 1);
            for (std::uint32_t n = 0; n < run.target().size(); ++n) {
              run.fault_at(run.at_s(3), CpuBurn{n, 2'000 + run.rng().below(18'000)});
              run.fault_at(run.at_s(3.5), MemoryPressure{n, 64 * 1024 + run.rng().below(448 * 1024)});
              run.fault_at(run.at_s(11), CpuBurn{n, 0});
              run.fault_at(run.at_s(11), MemoryPressure{n, 0});
            }
            run.run_until(run.at_s(13));
            run.heal_and_converge(20);
            run.budget("latency_p99_ms", 5000);
          }};
}

ScenarioDef c3() {
  return {{"C3", "Ultimate",
           "Pairs chatting with churn on many nodes while faults of every kind hit at random for "
           "the whole run (kills, partitions one- and two-way, disk errors, slow, stalled and full "
           "disks, slow consumers, clogged and lossy links, CPU burn, memory pressure). Passes "
           "when every invariant holds and it converges within 30 s of the heal.",
           true},
          [](SimConfig& c, Scale s) { nodes(c, s == Scale::kSmoke ? 5 : s == Scale::kStandard ? 9 : 15); },
          [](FireRun& run) {
            const std::uint32_t users = run.users(500, 100000, 200000);
            run.add_users(0, users);
            run.chat(users, 1, 19, 1);
            random_faults(run, run.by_scale(10, 20, 30), 1.5, 17, users);
            run.run_until(run.at_s(19));
            run.heal_and_converge(30);
          }};
}

ScenarioDef hot() {
  return {{"HOT", "Hot recipient under fan-in, with a crash",
           "Half of all messages go to one user (about 150/s, promoted to inbox buckets); the "
           "senders' node dies mid-fan-in and the hot user stops reading for 2 s.",
           false},
          [](SimConfig& c, Scale) {
            nodes(c, 3);
            c.core.hot_threshold_msgs_per_s = 50;
          },
          [](FireRun& run) {
            const std::uint32_t users = run.users(60, 600, 6000);
            run.add_users(0, users);
            run.chat(users, 1, 11, 2.5);
            FireRun::FanIn f;
            for (std::uint32_t i = 1; i < users; ++i) f.senders.push_back(FireRun::user(i));
            f.recipient = FireRun::user(0);
            f.total_per_s = 150;
            f.from_us = run.at_s(1);
            f.until_us = run.at_s(11);
            run.fan_in(f);
            std::uint32_t home = run.target().owner_of(f.recipient);
            std::uint32_t other = (home + 1) % run.target().size();
            run.fault_at(run.at_s(5), KillNode{other});
            run.fault_at(run.at_s(7), RestartNode{other});
            run.fault_at(run.at_s(8), SlowConsumer{f.recipient, true});
            run.fault_at(run.at_s(10), SlowConsumer{f.recipient, false});
            run.run_until(run.at_s(11));
            run.heal_and_converge(10);
            run.figure({"peak_hot_buckets", static_cast<double>(run.peak_hot_buckets()), "",
                        "most inbox buckets a recipient had at a sample", 2, Bound::kAtLeast,
                        true});
          }};
}

ScenarioDef mix() {
  return {{"MIX", "Random faults of every kind",
           "Sixteen users chatting with churn on 3 nodes under four random faults of any kind; "
           "the seed sweep (iris-fire --scenario MIX --sweep N).",
           false},
          [](SimConfig& c, Scale) { nodes(c, 3); },
          [](FireRun& run) {
            const std::uint32_t users = run.users(16, 16, 16);
            run.add_users(0, users);
            run.chat(users, 1, 9, 4);
            random_faults(run, 4, 1.5, 6.5, users);
            run.run_until(run.at_s(9));
            run.heal_and_converge(10);
          }};
}

// Online membership: two nodes join and one leaves while users chat, with random kills and
// partitions during the changes. Every change must commit in the end, every moved inbox must
// reach its new owner, and every invariant must hold.
ScenarioDef elastic() {
  return {{"ELASTIC", "Nodes join and leave under traffic",
           "Users chat on 3 nodes while a fifth as many, offline, collect inboxes; n03 joins at "
           "2 s and n04 at 5 s (users move to each once every member sees it), n01 is asked to "
           "leave at 8 s (its users move away, then it stops), with random kills, partitions, "
           "disk errors and slow disks meanwhile. The view must settle at four active members, "
           "every moved inbox delivered.",
           false},
          [](SimConfig& c, Scale) { nodes(c, 3); },
          [](FireRun& run) {
            auto* sim = dynamic_cast<SimCluster*>(&run.target());
            const std::uint32_t users = run.users(40, 2'000, 20'000);
            run.add_users(0, users);
            run.chat(users, 1, 14, 2);
            // Offline users whose inboxes fill up while the members change: what moves with a
            // user is mostly its stored inbox. They log in at the heal, wherever their home is.
            const std::uint32_t boxes = std::max<std::uint32_t>(8, users / 5);
            ClientSpec away;
            away.online = false;
            run.add_users(0, boxes, away, "box");
            for (std::uint32_t b = 0; b < boxes; ++b) {
              FireRun::FanIn f;
              for (std::uint32_t k = 0; k < 4; ++k) {
                f.senders.push_back(FireRun::user((b * 4 + k) % users));
              }
              f.recipient = FireRun::user(b, "box");
              f.total_per_s = 3;
              f.from_us = run.at_s(1);
              f.until_us = run.at_s(11);
              run.fan_in(f);
            }
            run.fault_at(run.at_s(2), JoinNode{});
            run.fault_at(run.at_s(5), JoinNode{});
            // An operator asks again while the leave is refused (a member down, another change
            // under way).
            run.every(kSecond, run.at_s(8), run.at_s(30), [&run, sim] {
              if (sim == nullptr) return;
              const auto& v = sim->latest_view();
              const auto i = v.index_of(sim->node_id(1));
              if (i != cluster::kLocalNode && v.members[i].state == cluster::MemberState::kActive) {
                run.target().apply(LeaveNode{1});
              }
            });
            random_faults(run, run.by_scale(2, 3, 4), 2, 12, users, 4);
            run.run_until(run.at_s(14));
            run.heal_and_converge(20);
            const std::uint64_t until = run.now() + 30 * kSecond;
            while (sim != nullptr && !sim->reconfig_settled() && run.now() < until &&
                   !run.cancelled()) {
              run.run_until(run.now() + 50'000);
            }
            if (sim == nullptr) return;
            const auto& v = sim->latest_view();
            std::string members;
            std::uint32_t active = 0, left = 0;
            for (const auto& m : v.members) {
              members += (members.empty() ? "" : ", ") + m.id + " " + cluster::to_string(m.state);
              active += m.state == cluster::MemberState::kActive;
              left += m.state == cluster::MemberState::kLeft;
            }
            run.check("membership_settled",
                      sim->reconfig_settled() && active == 4 && left == 1 && v.size() == 5,
                      "epoch " + std::to_string(v.epoch) + ": " + members);
            double committed = 0, aborted = 0;
            for (const auto& c : sim->view_changes()) (c.committed ? committed : aborted) += 1;
            const auto moved = static_cast<double>(sim->handover_messages());
            run.figure({"view_changes_committed", committed, "",
                        "joins, activations, the leave and the removal that committed "
                        "(6 expected)",
                        6, Bound::kAtLeast, true});
            run.figure({"view_changes_refused_or_aborted", aborted, "",
                        "proposals refused or aborted on the way (a member down, another change "
                        "under way), then tried again",
                        std::nullopt, Bound::kAtMost, false});
            run.figure({"handover_messages", moved, "msgs",
                        "HANDOVER_MESSAGEs received: inbox messages moved from an old owner to a "
                        "new one (resends included)", std::nullopt,
                        Bound::kAtMost, true});
          }};
}

}  // namespace

std::vector<ScenarioDef> resilience_scenarios() {
  return {r1(), r2(), r3(), r4(), r5(), r6(), c1(), c2(), c3(), hot(), mix(), elastic()};
}

}  // namespace iris::sim
