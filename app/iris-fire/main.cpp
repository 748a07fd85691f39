// iris-fire: the headless fire-test runner. Runs the catalog's scenarios on the deterministic
// simulator, prints each verdict (and the command that replays a failure), writes the reports.
//
//   iris-fire                                   the whole suite at smoke scale
//   iris-fire --scenario R1 --seed 42 --report out.json --report out.html
//   iris-fire --scale standard --report reports/fire.html
//   iris-fire --scenario MIX --sweep 10000      seeds 1..10000, stops at the first FAIL
//   iris-fire --list
//   iris-fire --target 10.0.0.1:7480,10.0.0.2:7480 --token T   the real-node scenarios on real nodes
//
// Exit status: 0 every scenario PASS, 1 any FAIL, 2 usage error or a report that cannot be written.

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "simulator/remote_cluster.h"
#include "simulator/report.h"
#include "simulator/scenario.h"

namespace po = boost::program_options;
using namespace iris::sim;

namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

std::string command_line(int argc, char** argv) {
  std::string s = "iris-fire";
  for (int i = 1; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

void list() {
  for (const auto& s : catalog()) {
    std::printf("%-4s %-30s %s%s\n", s.id.c_str(), s.name.c_str(),
                s.in_suite ? "" : "(extra: run by name) ",
                s.on_real_nodes ? "(also on real nodes: --target)" : "");
    std::printf("     %s\n", s.description.c_str());
  }
}

// Progress: a line redrawn in place on a terminal, nothing otherwise.
class Progress {
 public:
  Progress(std::size_t total) : total_(total), tty_(isatty(STDOUT_FILENO) != 0) {}
  void update(std::size_t index, const ScenarioInfo& s, double fraction) {
    if (!tty_) return;
    std::printf("\r[%zu/%zu] %-4s %-30s %3d%%", index + 1, total_, s.id.c_str(), s.name.c_str(),
                static_cast<int>(fraction * 100));
    std::fflush(stdout);
  }
  void done(std::size_t index, const ScenarioResult& r) {
    if (tty_) std::printf("\r\033[K");
    char took[64];
    if (r.target == "simulator") {
      std::snprintf(took, sizeof took, "%.1f s simulated in %.2f s", r.virtual_seconds,
                    r.real_seconds);
    } else {
      std::snprintf(took, sizeof took, "%.1f s on real nodes", r.real_seconds);
    }
    std::printf("[%zu/%zu] %-4s %-30s %s  (%s)\n", index + 1, total_, r.id.c_str(),
                r.name.c_str(), r.pass ? "PASS" : "FAIL", took);
    if (!r.pass) std::printf("       %s\n       replay: %s\n", r.reason.c_str(), r.replay.c_str());
    std::fflush(stdout);
  }

 private:
  std::size_t total_;
  bool tty_;
};

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("iris-fire options");
  opts.add_options()("help,h", "this help")("version", "print the version")(
      "list", "list the scenarios and exit")(
      "scenario", po::value<std::vector<std::string>>(),
      "a scenario id (repeatable); default: the whole suite")(
      "scale", po::value<std::string>()->default_value("smoke"), "smoke, standard or full")(
      "seed", po::value<std::uint64_t>()->default_value(1), "the run's seed (replays exactly)")(
      "users", po::value<unsigned>()->default_value(0), "virtual users (0: the scenario's)")(
      "sweep", po::value<std::uint64_t>()->default_value(0),
      "run each scenario with this many seeds from --seed on; stop at the first FAIL")(
      "report", po::value<std::vector<std::string>>(),
      "write the report here (.html .md .json .xml for JUnit; repeatable)")(
      "sabotage", po::value<std::string>(),
      "break the engine on purpose to prove the checkers fail (tests): ack-then-drop, "
      "deliver-twice, out-of-order, corrupt-payload, misdirect, phantom, keep-read-rows, "
      "stop-handoff-replay")("verbose,v", "print every scenario's invariants and figures")(
      "log-level", po::value<std::string>()->default_value("error"),
      "the engine's log level inside the simulation: trace debug info warn error off")(
      "target", po::value<std::string>(),
      "run on real nodes instead of the simulator: their admin API host:port[,host:port...] "
      "(the scenarios marked for real nodes; see --list)")(
      "token", po::value<std::string>(),
      "an operator token of the nodes' admin API (with --target; or IRIS_ADMIN_TOKEN)")(
      "login-secret-file", po::value<std::string>(),
      "the nodes' shared login token secret, to mint the clients' tokens (with --target; "
      "without it clients log in with their user id: nodes started with --insecure-dev-login)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "iris-fire: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "iris-fire " << IRIS_VERSION << "\n";
    return 0;
  }
  if (vm.count("list")) {
    list();
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(vm["log-level"].as<std::string>()));

  ScenarioOptions options;
  auto scale = parse_scale(vm["scale"].as<std::string>());
  if (!scale) {
    std::cerr << "iris-fire: unknown scale '" << vm["scale"].as<std::string>()
              << "' (smoke, standard, full)\n";
    return 2;
  }
  options.scale = *scale;
  options.users = vm["users"].as<unsigned>();
  if (vm.count("sabotage")) {
    auto s = parse_sabotage(vm["sabotage"].as<std::string>());
    if (!s) {
      std::cerr << "iris-fire: unknown sabotage '" << vm["sabotage"].as<std::string>() << "'\n";
      return 2;
    }
    options.sabotage = *s;
  }
  const bool real = vm.count("target") != 0;
  if (real) {
    RemoteClusterOptions ro;
    std::string list = vm["target"].as<std::string>();
    for (std::size_t at = 0; at <= list.size();) {
      const std::size_t comma = std::min(list.find(',', at), list.size());
      if (comma > at) ro.admin.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
    if (vm.count("token")) {
      ro.token = vm["token"].as<std::string>();
    } else if (const char* t = std::getenv("IRIS_ADMIN_TOKEN")) {
      ro.token = t;
    }
    if (vm.count("login-secret-file")) {
      std::ifstream in(vm["login-secret-file"].as<std::string>());
      if (!in || !std::getline(in, ro.login_secret) || ro.login_secret.empty()) {
        std::cerr << "iris-fire: cannot read a secret from " << vm["login-secret-file"].as<std::string>() << "\n";
        return 2;
      }
    }
    if (ro.admin.empty() || ro.token.empty()) {
      std::cerr << "iris-fire: --target needs host:port addresses and a token (--token or IRIS_ADMIN_TOKEN)\n";
      return 2;
    }
    options.real_nodes_args = "--target " + list;
    options.real_nodes = [ro](std::string& error) -> std::unique_ptr<FireTarget> {
      auto t = std::make_unique<RemoteCluster>(ro);
      if (!t->start_error().empty()) {
        error = t->start_error();
        return nullptr;
      }
      return t;
    };
  }
  std::vector<std::string> ids;
  if (vm.count("scenario")) {
    ids = vm["scenario"].as<std::vector<std::string>>();
    for (const auto& id : ids) {
      if (find_scenario(id) == nullptr) {
        std::cerr << "iris-fire: unknown scenario '" << id << "' (iris-fire --list)\n";
        return 2;
      }
    }
  } else {
    for (const auto& s : catalog()) {
      if (s.in_suite && (!real || s.on_real_nodes)) ids.push_back(s.id);
    }
  }
  if (real) {
    for (const auto& id : ids) {
      if (!find_scenario(id)->on_real_nodes) {
        std::cerr << "iris-fire: " << id << " does not run on real nodes (iris-fire --list)\n";
        return 2;
      }
    }
    if (vm["sweep"].as<std::uint64_t>() > 0) {
      std::cerr << "iris-fire: --sweep replays seeds on the simulator; not with --target\n";
      return 2;
    }
  }
  std::vector<std::string> reports;
  if (vm.count("report")) reports = vm["report"].as<std::vector<std::string>>();
  const bool verbose = vm.count("verbose") != 0;

  FireReport report;
  report.engine_version = IRIS_VERSION;
  report.started_utc = utc_now();
  report.machine = this_machine();
  report.scale = to_string(options.scale);
  report.seed = vm["seed"].as<std::uint64_t>();
  report.command = command_line(argc, argv);

  const std::uint64_t sweep = vm["sweep"].as<std::uint64_t>();
  Progress progress(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const ScenarioInfo& info = *find_scenario(ids[i]);
    options.progress = [&progress, i, &info](double f) { progress.update(i, info, f); };
    ScenarioResult result;
    if (sweep > 0) {
      options.progress = nullptr;
      for (std::uint64_t s = report.seed; s < report.seed + sweep; ++s) {
        result = run_scenario(ids[i], s, options);
        if (!result.pass) break;
        if ((s - report.seed + 1) % 100 == 0) {
          std::printf("%s: %llu seeds passed\n", ids[i].c_str(),
                      static_cast<unsigned long long>(s - report.seed + 1));
          std::fflush(stdout);
        }
      }
      if (result.pass) {
        std::printf("%s: all %llu seeds from %llu passed\n", ids[i].c_str(),
                    static_cast<unsigned long long>(sweep),
                    static_cast<unsigned long long>(report.seed));
      }
    } else {
      result = run_scenario(ids[i], report.seed, options);
    }
    progress.done(i, result);
    if (verbose || (!result.pass && ids.size() == 1)) std::cout << summary(result);
    report.scenarios.push_back(std::move(result));
  }

  std::size_t failed = 0;
  for (const auto& s : report.scenarios) failed += s.pass ? 0 : 1;
  std::printf("%zu of %zu scenarios passed (%s scale, seed %llu)\n",
              report.scenarios.size() - failed, report.scenarios.size(), report.scale.c_str(),
              static_cast<unsigned long long>(report.seed));
  int status = failed ? 1 : 0;
  for (const auto& path : reports) {
    std::string error = write_report(report, path);
    if (!error.empty()) {
      std::cerr << "iris-fire: " << error << "\n";
      status = 2;
    } else {
      std::printf("report: %s\n", path.c_str());
    }
  }
  return status;
}
