// P1-P3 (performance) and S1-S4 (scale and hotspots). On the simulator, P1-P3 measure the engine's
// own cost — real time spent in engine code per simulated message, heap bytes per idle session —
// and say so; simulated time has no CPU limit, so throughput there is what was offered.

#include <malloc.h>

#include <algorithm>

#include "simulator/fire_run.h"

namespace iris::sim {

namespace {

using Bound = Figure::Bound;

void three_nodes(SimConfig& c, Scale) {
  c.nodes = 3;
}


ScenarioDef p1() {
  return {{"P1", "Throughput",
           "Open-loop pairs on 3 nodes at rising rates (4 steps, each twice the last). On the "
           "simulator it measures the engine's own cost: real time spent in engine code per "
           "delivered message (budget 10 us, RelWithDebInfo, one core), and the one-core rate "
           "that cost allows.",
           true},
          [](SimConfig& c, Scale) {
            c.nodes = 3;
            c.measure_engine_time = true;
          },
          [](FireRun& run) {
            const std::uint32_t users = run.users(200, 2000, 20000);
            run.add_users(0, users);
            const double base = run.by_scale(500.0, 5000.0, 20000.0);
            const double step_s = run.by_scale(1.0, 3.0, 5.0);
            double rate = base;
            for (int step = 0; step < 4; ++step, rate *= 2) {
              const double from = 1 + step * step_s;
              run.pairs({0, users, rate / users, run.at_s(from), run.at_s(from + step_s), 100, "u"});
            }
            run.run_until(run.at_s(1 + 4 * step_s));
            run.heal_and_converge(5);
            run.require_all_delivered();
            const double engine_s = run.target().engine_seconds().value_or(0);
            const double delivered = static_cast<double>(run.target().checker().delivered());
            const double us_per_msg = delivered > 0 ? engine_s * 1e6 / delivered : 0;
            run.figure({"engine_us_per_msg", us_per_msg, "us",
                        "real time inside engine code (shards, membership, peer codec; the "
                        "simulated driver's synchronous callbacks included) / messages delivered, "
                        "whole run",
                        10, Bound::kAtMost, true});
            run.figure({"engine_msgs_per_s_one_core", us_per_msg > 0 ? 1e6 / us_per_msg : 0,
                        "msgs/s", "1 / engine_us_per_msg: what one core of engine code could carry",
                        {}, Bound::kAtMost, true});
            run.figure({"top_offered_msgs_per_s", rate / 2, "msgs/s",
                        "the last step's offered rate (simulated time has no CPU limit)", {},
                        Bound::kAtMost, false});
          }};
}

ScenarioDef p2() {
  return {{"P2", "Latency",
           "Open-loop pairs on 3 nodes at half of P1's top offered rate for 5 s; latency from the "
           "scheduled send time (coordinated omission corrected). Budget on simulated time: p50 "
           "2 ms, p99 10 ms, p999 50 ms.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t users = run.users(200, 2000, 20000);
            run.add_users(0, users);
            const double rate = run.by_scale(2000.0, 20000.0, 80000.0);
            run.pairs({0, users, rate / users, run.at_s(1), run.at_s(6), 100, "u"});
            run.run_until(run.at_s(6));
            run.heal_and_converge(5);
            run.require_all_delivered();
            run.budget("latency_p50_ms", 2);
            run.budget("latency_p99_ms", 10);
            run.budget("latency_p999_ms", 50);
          }};
}

std::uint64_t heap_in_use() {
  return mallinfo2().uordblks;
}

ScenarioDef p3() {
  return {{"P3", "Memory per connection",
           "Idle users log in to 3 nodes and stay. On the simulator it measures heap bytes per "
           "authenticated session: the process heap after the logins minus before, over sessions "
           "(engine session and user state plus the simulated connection; the clients existed "
           "before). Budget 4 KB.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t users = run.users(2000, 19000, 100000);
            ClientSpec offline;
            offline.online = false;
            run.add_users(0, users, offline);
            run.run_until(run.at_s(1));
            malloc_trim(0);
            const std::uint64_t before = heap_in_use();
            for (std::uint32_t i = 0; i < users; ++i) run.target().set_online(FireRun::user(i), true);
            run.run_until(run.at_s(3));
            std::uint64_t sessions = 0;
            for (const auto& n : run.target().snapshot().nodes) sessions += n.sessions;
            const std::uint64_t after = heap_in_use();
            run.check("all_sessions_up", sessions == users,
                      std::to_string(sessions) + " sessions for " + std::to_string(users) + " users");
            const double per = sessions ? static_cast<double>(after > before ? after - before : 0) /
                                              static_cast<double>(sessions)
                                        : 0;
            run.figure({"sessions", static_cast<double>(sessions), "", "sessions the nodes hold",
                        {}, Bound::kAtMost, true});
            run.figure({"heap_bytes_per_session", per, "B",
                        "malloc'd bytes in use after the logins minus before (mallinfo2), / "
                        "sessions; engine and simulated connection",
                        4096, Bound::kAtMost, true});
            run.heal_and_converge(5);
          }};
}

ScenarioDef s1() {
  return {{"S1", "Messi hotspot",
           "Thousands of fans (25,000 at standard scale) send to one user at 1,000 messages/s "
           "(5,000/s standard); the user is online, then offline for 2 s, then back. Passes when "
           "100% is delivered, each fan's order holds, and 99% of what was offered is taken "
           "while it is offered.",
           true},
          [](SimConfig& c, Scale s) {
            c.nodes = 3;
            c.core.hot_threshold_msgs_per_s = s == Scale::kSmoke ? 200 : 1000;
          },
          [](FireRun& run) {
            const std::uint32_t fans = run.users(2000, 25000, 50000);
            run.target().add_client("messi", {});
            run.add_users(0, fans, {}, "f");
            FireRun::FanIn f;
            for (std::uint32_t i = 0; i < fans; ++i) f.senders.push_back(FireRun::user(i, "f"));
            f.recipient = "messi";
            f.total_per_s = run.by_scale(1000.0, 5000.0, 10000.0);
            f.from_us = run.at_s(1);
            f.until_us = run.at_s(6);
            run.fan_in(f);
            run.fault_at(run.at_s(3), SlowConsumer{"messi", true});
            FireTarget& t = run.target();
            t.at(run.at_s(3.5), [&t] { t.set_online("messi", false); });
            t.at(run.at_s(5.5), [&t] { t.set_online("messi", true); });
            run.fault_at(run.at_s(5.5), SlowConsumer{"messi", false});
            run.run_until(run.at_s(6));
            const Checker& ch = t.checker();
            const double offered = static_cast<double>(ch.sent());
            const double taken = static_cast<double>(ch.acked());
            run.heal_and_converge(15);
            run.require_all_delivered();
            run.figure({"taken_of_offered", offered > 0 ? taken / offered : 0, "",
                        "messages acknowledged by the end of the fan-in / messages offered", 0.99,
                        Bound::kAtLeast, true});
            run.figure({"ingest_msgs_per_s", taken / 5, "msgs/s",
                        "messages acknowledged during the 5 s fan-in / 5 s", {}, Bound::kAtMost,
                        true});
          }};
}

ScenarioDef s2() {
  return {{"S2", "Offline delete stress",
           "Every user churns (away 0.3-1.5 s, back 0.3-1.5 s) while pairs chat, so messages are "
           "stored, fetched, acknowledged and deleted all the time. Passes with no loss, no "
           "duplicate, the store empty at the end and never holding more than 30% of all "
           "messages sent.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t users = run.users(200, 5000, 50000);
            run.add_users(0, users);
            run.pairs({0, users, 2, run.at_s(1), run.at_s(11), 150, "u"});
            FireRun::Churn c;
            for (std::uint32_t i = 0; i < users; ++i) c.users.push_back(FireRun::user(i));
            c.away_min_s = 0.3;
            c.away_max_s = 1.5;
            c.stay_min_s = 0.3;
            c.stay_max_s = 1.5;
            c.from_us = run.at_s(1);
            c.until_us = run.at_s(11);
            run.churn(c);
            run.run_until(run.at_s(11));
            run.heal_and_converge(10);
            const double sent = static_cast<double>(run.target().checker().sent());
            run.figure({"peak_store_rows", static_cast<double>(run.peak_store_rows()), "rows",
                        "rows in all stores at the fullest sample", 0.3 * sent, Bound::kAtMost,
                        true});
          }};
}

ScenarioDef s3() {
  return {{"S3", "Presence hotspot",
           "Hundreds of watchers (5,000 standard) subscribe to one star and ask for its status "
           "every second while it flaps online/offline each second; 40 other users chat. Passes "
           "when watchers hear of the star's changes with p99 under 200 ms and the chat's latency "
           "p99 stays under 20 ms.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t watchers = run.users(200, 5000, 20000);
            FireTarget& t = run.target();
            t.add_client("star", {});
            run.add_users(0, watchers, {}, "w");
            run.add_users(0, 40);
            t.at(run.at_s(1), [&t, watchers] {
              for (std::uint32_t i = 0; i < watchers; ++i) t.subscribe(FireRun::user(i, "w"), "star");
            });
            run.every(kSecond / 10, run.at_s(1.5), run.at_s(11), [&run, &t, watchers] {
              for (std::uint32_t k = 0; k < watchers / 10; ++k) {
                t.query_presence(FireRun::user(static_cast<std::uint32_t>(run.rng().below(watchers)), "w"),
                                 "star");
              }
            });
            auto flips = std::make_shared<std::vector<std::pair<bool, std::uint64_t>>>();
            bool online = false;
            for (double s = 2; s < 11; s += 1, online = !online) {
              t.at(run.at_s(s), [&t, flips, online, at = run.at_s(s)] {
                t.set_online("star", online);
                flips->push_back({online, at});
              });
            }
            run.pairs({0, 40, 4, run.at_s(1), run.at_s(11), 100, "u"});
            run.run_until(run.at_s(11.5));
            std::vector<std::uint64_t> delays;
            const std::uint32_t sample = std::min<std::uint32_t>(watchers, 100);
            for (const auto& [state, at] : *flips) {
              for (std::uint32_t i = 0; i < sample; ++i) {
                const std::string w = FireRun::user(i * (watchers / sample), "w");
                const auto& seen = t.presence_seen(w);
                auto it = std::find_if(seen.begin(), seen.end(), [&](const PresenceSeen& p) {
                  return p.target == "star" && p.online == state && p.at_us >= at;
                });
                run.check("presence_notified", it != seen.end() && it->at_us - at <= 500'000,
                          w + " not told within 500 ms that star went " +
                              (state ? "online" : "offline"));
                if (it != seen.end()) delays.push_back(it->at_us - at);
              }
            }
            run.figure({"presence_p99_ms", percentile(std::move(delays), 0.99) / 1000, "ms", "from the star's login or logout to a watcher's notice (100 watchers "
                        "sampled, every change)",
                        200, Bound::kAtMost, true});
            run.heal_and_converge(5);
            run.budget("latency_p99_ms", 20);
          }};
}

ScenarioDef s4() {
  return {{"S4", "Global fan-in",
           "Six nodes in three regions, 40 ms apart one way; fans homed everywhere send to one "
           "recipient. Passes with no loss and latency p99 within the WAN delay plus 20 ms.",
           true},
          [](SimConfig& c, Scale s) {
            c.nodes = s == Scale::kSmoke ? 6 : 9;
            c.regions.clear();
            for (std::uint32_t i = 0; i < c.nodes; ++i) c.regions.push_back(i % 3);
            c.wan_latency_us = 40'000;
          },
          [](FireRun& run) {
            const std::uint32_t fans = run.users(300, 5000, 50000);
            run.target().add_client("g0000", {});
            run.add_users(0, fans, {}, "f");
            FireRun::FanIn f;
            for (std::uint32_t i = 0; i < fans; ++i) f.senders.push_back(FireRun::user(i, "f"));
            f.recipient = "g0000";
            f.total_per_s = run.by_scale(300.0, 2000.0, 4000.0);
            f.from_us = run.at_s(1);
            f.until_us = run.at_s(8);
            run.fan_in(f);
            run.run_until(run.at_s(8));
            run.heal_and_converge(10);
            run.require_all_delivered();
            run.figure({"wan_one_way_ms", 40, "ms", "configured delay between regions", {},
                        Bound::kAtMost, true});
            run.budget("latency_p99_ms", 60);
          }};
}

}  // namespace

std::vector<ScenarioDef> scale_scenarios() {
  return {p1(), p2(), p3(), s1(), s2(), s3(), s4()};
}

}  // namespace iris::sim
