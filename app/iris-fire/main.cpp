// iris-fire: the headless fire-test runner. Runs a scenario on the deterministic simulator from a
// seed, prints the verdict and the command that replays it, and writes the JSON result.
//
//   iris-fire --scenario R1 --seed 42 --report out.json
//   iris-fire --scenario MIX --sweep 10000 --seed 1      (seeds 1..10000, stops at the first FAIL)
//
// Exit status: 0 PASS, 1 FAIL, 2 usage error.

#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "simulator/scenario.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  po::options_description opts("iris-fire options");
  opts.add_options()("help,h", "this help")("version", "print the version")(
      "scenario", po::value<std::string>()->default_value("R1"),
      "R1 (split brain), R5 (crash "
      "and restart), HOT (hot recipient under fan-in), MIX (random faults of every kind)")(
      "seed", po::value<std::uint64_t>()->default_value(1), "the run's seed (replays exactly)")(
      "users", po::value<unsigned>()->default_value(0), "virtual users (0: the scenario's)")(
      "sweep", po::value<std::uint64_t>()->default_value(0),
      "run this many seeds from --seed on; stop at the first FAIL")(
      "report", po::value<std::string>(), "write the JSON result here")(
      "log-level", po::value<std::string>()->default_value("error"),
      "the engine's log level inside the simulation: trace debug info warn error off");
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
  auto level = spdlog::level::from_str(vm["log-level"].as<std::string>());
  spdlog::set_level(level);
  const std::string id = vm["scenario"].as<std::string>();
  if (!iris::sim::known_scenario(id)) {
    std::cerr << "iris-fire: unknown scenario '" << id << "' (known: R1 R5 HOT MIX)\n";
    return 2;
  }
  iris::sim::ScenarioOptions options;
  options.users = vm["users"].as<unsigned>();
  const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
  const std::uint64_t sweep = vm["sweep"].as<std::uint64_t>();
  iris::sim::ScenarioResult result;
  if (sweep > 0) {
    for (std::uint64_t s = seed; s < seed + sweep; ++s) {
      result = iris::sim::run_scenario(id, s, options);
      if (!result.pass) break;
      if ((s - seed + 1) % 100 == 0) {
        std::printf("%s: %llu seeds passed\n", id.c_str(),
                    static_cast<unsigned long long>(s - seed + 1));
        std::fflush(stdout);
      }
    }
    if (result.pass) {
      std::printf("%s: all %llu seeds from %llu passed\n", id.c_str(),
                  static_cast<unsigned long long>(sweep), static_cast<unsigned long long>(seed));
    }
  } else {
    result = iris::sim::run_scenario(id, seed, options);
  }
  if (sweep == 0 || !result.pass) std::cout << iris::sim::summary(result);
  if (vm.count("report")) {
    std::ofstream out(vm["report"].as<std::string>());
    out << iris::sim::to_json(result) << "\n";
    if (!out) {
      std::cerr << "iris-fire: cannot write " << vm["report"].as<std::string>() << "\n";
      return 2;
    }
  }
  if (!result.pass) std::cout << "replay: " << result.replay << "\n";
  return result.pass ? 0 : 1;
}
