// iris-node: one real Iris node. Parses flags (and an optional config file with the same keys),
// opens the store, runs the listeners until SIGTERM/SIGINT, then drains and exits 0.
//   iris-node [options]               run a node
//   iris-node token --user U [--ttl 1h] [--data-dir D | --token-secret-file F]   mint a token

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include "engine/admin/admin_api.h"
#include "engine/admin/admin_server.h"
#include "engine/admin/admin_tokens.h"
#include "engine/admin/node_backend.h"
#include "engine/auth/token.h"
#include "engine/common/logging.h"
#include "engine/cluster/members.h"
#include "engine/cluster/view_file.h"
#include "engine/net/node_server.h"
#include "engine/store/faulty_store.h"
#include "engine/store/partitioned_store.h"
#include "engine/store/sqlite_store.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// Reads the node secret, creating a random one (mode 0600) when asked to and absent.
iris::Result<std::string> load_secret(const fs::path& file, bool create) {
  std::ifstream in(file);
  std::string secret;
  if (in && std::getline(in, secret) && secret.size() >= 16) return secret;
  if (!create) return iris::Status::not_found("no token secret in " + file.string());
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  secret.clear();
  for (int i = 0; i < 64; ++i) secret += kHex[rd() % 16];
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::trunc);
  if (!out) return iris::Status::io_error("cannot write " + file.string());
  out << secret << "\n";
  out.close();
  ::chmod(file.c_str(), 0600);
  return secret;
}

std::uint64_t parse_duration_s(const std::string& s) {
  if (s.empty()) throw std::invalid_argument("empty duration");
  std::size_t used = 0;
  std::uint64_t n = std::stoull(s, &used);
  std::string unit = s.substr(used);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  throw std::invalid_argument("bad duration unit in '" + s + "' (use s, m, h, d)");
}

int mint(int argc, char** argv) {
  po::options_description opts("iris-node token");
  opts.add_options()("help,h", "this help")
      ("user", po::value<std::string>()->required(), "user id ([A-Za-z0-9_@-], 1..64 bytes)")
      ("ttl", po::value<std::string>()->default_value("24h"), "lifetime: 90s, 30m, 1h, 7d")
      ("data-dir", po::value<std::string>()->default_value("iris-data"), "node data directory")
      ("token-secret-file", po::value<std::string>(), "secret file (default DATA_DIR/node.secret)");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, opts), vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  po::notify(vm);
  std::string user = vm["user"].as<std::string>();
  if (!iris::auth::valid_user_id(user)) {
    std::cerr << "iris-node token: invalid user id '" << user << "'\n";
    return 2;
  }
  fs::path secret_file = vm.count("token-secret-file")
                             ? fs::path(vm["token-secret-file"].as<std::string>())
                             : fs::path(vm["data-dir"].as<std::string>()) / "node.secret";
  auto secret = load_secret(secret_file, false);
  if (!secret) {
    std::cerr << "iris-node token: " << secret.status().message()
              << " (start the node once, or pass --token-secret-file)\n";
    return 2;
  }
  auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  std::cout << iris::auth::mint_token(*secret, user, now + parse_duration_s(vm["ttl"].as<std::string>()))
            << "\n";
  return 0;
}

po::options_description node_options() {
  po::options_description o("iris-node options (a config file takes the same keys, key = value)");
  o.add_options()
      ("help,h", "this help")
      ("version", "print the version")
      ("config", po::value<std::string>(), "config file")
      ("node-id", po::value<std::string>()->default_value("node-1"), "this node's name")
      ("listen", po::value<std::string>()->default_value("127.0.0.1:7400"), "TCP HOST:PORT ('' off)")
      ("tls-listen", po::value<std::string>()->default_value(""), "TLS HOST:PORT")
      ("tls-cert", po::value<std::string>()->default_value(""), "TLS certificate chain (PEM)")
      ("tls-key", po::value<std::string>()->default_value(""), "TLS private key (PEM)")
      ("ws-listen", po::value<std::string>()->default_value(""), "WebSocket HOST:PORT")
      ("data-dir", po::value<std::string>()->default_value("iris-data"), "store and secret directory")
      ("shards", po::value<unsigned>()->default_value(0), "router shards = worker threads (0: one per core)")
      ("durability", po::value<std::string>()->default_value("guaranteed"),
       "guaranteed (SEND_ACK after fsync) or relaxed (may lose the last commits on power loss)")
      ("token-secret-file", po::value<std::string>(), "HMAC secret for tokens (default DATA_DIR/node.secret, created)")
      ("insecure-dev-login", po::bool_switch(), "accept a bare user id as LOGIN token (local play only)")
      ("persist-delay-ms", po::value<double>()->default_value(4.0), "online messages not ACKed within this are persisted")
      ("max-connections", po::value<unsigned>()->default_value(19000), "open client connections")
      ("slow-consumer-timeout-s", po::value<double>()->default_value(30), "ACK window full this long: disconnect")
      ("max-msgs-per-s", po::value<double>()->default_value(50000), "per session")
      ("store-partitions", po::value<unsigned>()->default_value(1),
       "SQLite files (each with its own writer thread); a hot recipient's buckets spread over them")
      ("hot-threshold", po::value<unsigned>()->default_value(5000),
       "accepted msgs/s above which a recipient's inbox is split into buckets")
      ("hot-buckets", po::value<unsigned>()->default_value(4), "buckets of a hot recipient (1: off)")
      ("port-file", po::value<std::string>()->default_value(""), "write bound ports here (JSON) once listening")
      ("seeds", po::value<std::string>()->default_value(""),
       "cluster members, this node included: ID@PEER_HOST:PORT@CLIENT_HOST:PORT,... ('' : a single node)")
      ("join", po::value<std::string>()->default_value(""),
       "join a running cluster through the member whose peer listener is at HOST:PORT (needs --peer-listen)")
      ("advertise", po::value<std::string>()->default_value(""),
       "HOST:PORT clients are redirected to for users of this node (default: --listen), with --join")
      ("peer-listen", po::value<std::string>()->default_value(""), "HOST:PORT for peer links (cluster)")
      ("peer-tls-cert", po::value<std::string>()->default_value(""),
       "TLS on peer links: this node's certificate chain (PEM), for a name = its --node-id")
      ("peer-tls-key", po::value<std::string>()->default_value(""), "TLS on peer links: its private key (PEM)")
      ("peer-tls-ca", po::value<std::string>()->default_value(""),
       "TLS on peer links: the cluster's CA (PEM); peers must show a certificate of it for their id")
      ("cluster-name", po::value<std::string>()->default_value("iris"), "peers of another cluster are refused")
      ("peer-heartbeat-ms", po::value<double>()->default_value(100), "heartbeat period on peer links")
      ("peer-down-after-ms", po::value<double>()->default_value(1000), "silence after which a peer link is failed")
      ("admin-listen", po::value<std::string>()->default_value(""), "admin API HOST:PORT ('' off; needs --admin-tokens)")
      ("admin-tokens", po::value<std::string>()->default_value(""), "admin tokens file: lines 'viewer|operator NAME TOKEN'")
      ("admin-tls-cert", po::value<std::string>()->default_value(""), "admin API over HTTPS: certificate chain (PEM)")
      ("admin-tls-key", po::value<std::string>()->default_value(""), "admin API over HTTPS: private key (PEM)")
      ("enable-chaos", po::bool_switch(), "let operator tokens inject faults through the admin API (each with a TTL)")
      ("log-format", po::value<std::string>()->default_value("text"), "text or json")
      ("log-level", po::value<std::string>()->default_value("info"), "trace debug info warn error off");
  return o;
}

struct Parsed {
  iris::net::ServerOptions server;
  std::string data_dir, port_file;
  bool relaxed = false;
  std::string secret_file;
  unsigned partitions = 1;
  iris::admin::AdminServerOptions admin;
  std::string admin_tokens;
  bool enable_chaos = false;
};

// Opens the inbox: DATA_DIR/inbox.db for one partition, inbox-<i>.db for several. A data dir
// written with another partition count is refused (its rows would be looked for elsewhere).
iris::Result<std::unique_ptr<iris::store::Store>> open_store(const Parsed& p) {
  const fs::path dir(p.data_dir);
  bool has_single = fs::exists(dir / "inbox.db");
  bool has_multi = fs::exists(dir / "inbox-0.db");
  unsigned existing = 0;
  while (fs::exists(dir / ("inbox-" + std::to_string(existing) + ".db"))) ++existing;
  if ((p.partitions == 1 && has_multi) || (p.partitions > 1 && has_single) ||
      (has_multi && existing != p.partitions)) {
    return iris::Status::invalid(
        "data dir " + p.data_dir + " was written with " +
        std::to_string(has_single ? 1u : existing) + " store partition(s); start with "
        "--store-partitions " + std::to_string(has_single ? 1u : existing));
  }
  std::vector<std::unique_ptr<iris::store::Store>> parts;
  for (unsigned i = 0; i < p.partitions; ++i) {
    iris::store::SqliteStoreOptions so;
    so.path = (dir / (p.partitions == 1 ? std::string("inbox.db")
                                        : "inbox-" + std::to_string(i) + ".db")).string();
    so.durability = p.relaxed ? iris::store::Durability::kRelaxed
                              : iris::store::Durability::kGuaranteed;
    auto s = iris::store::SqliteStore::open(so);
    if (!s) return iris::Status::io_error("cannot open store " + so.path + ": " + s.status().to_string());
    parts.push_back(std::move(s.value()));
  }
  if (parts.size() == 1) return std::move(parts.front());
  return std::unique_ptr<iris::store::Store>(
      std::make_unique<iris::store::PartitionedStore>(std::move(parts)));
}

Parsed build_options(const po::variables_map& vm) {
  Parsed p;
  auto& c = p.server.core;
  c.node_id = vm["node-id"].as<std::string>();
  unsigned shards = vm["shards"].as<unsigned>();
  c.shards = shards ? shards : std::max(1u, std::thread::hardware_concurrency());
  c.insecure_dev_login = vm["insecure-dev-login"].as<bool>();
  c.persist_delay_us = static_cast<std::uint64_t>(vm["persist-delay-ms"].as<double>() * 1000);
  c.slow_consumer_timeout_us =
      static_cast<std::uint64_t>(vm["slow-consumer-timeout-s"].as<double>() * 1e6);
  c.max_msgs_per_s = vm["max-msgs-per-s"].as<double>();
  c.hot_threshold_msgs_per_s = vm["hot-threshold"].as<unsigned>();
  c.hot_buckets = std::max(1u, vm["hot-buckets"].as<unsigned>());
  p.partitions = vm["store-partitions"].as<unsigned>();
  if (p.partitions < 1 || p.partitions > 64) {
    throw std::invalid_argument("--store-partitions must be 1..64");
  }
  p.server.listen = vm["listen"].as<std::string>();
  p.server.tls_listen = vm["tls-listen"].as<std::string>();
  p.server.tls_cert = vm["tls-cert"].as<std::string>();
  p.server.tls_key = vm["tls-key"].as<std::string>();
  p.server.ws_listen = vm["ws-listen"].as<std::string>();
  p.server.max_connections = vm["max-connections"].as<unsigned>();
  p.data_dir = vm["data-dir"].as<std::string>();
  p.port_file = vm["port-file"].as<std::string>();
  std::string d = vm["durability"].as<std::string>();
  if (d != "guaranteed" && d != "relaxed") throw std::invalid_argument("--durability: " + d);
  p.relaxed = d == "relaxed";
  // The cluster: the record in the data directory once there is one (joins and leaves change
  // the view after --seeds was written), else --seeds, else --join (docs/cluster.md).
  const std::string& seeds = vm["seeds"].as<std::string>();
  const std::string& join = vm["join"].as<std::string>();
  if (!seeds.empty() && !join.empty()) throw std::invalid_argument("--seeds and --join exclude each other");
  const std::string view_file = (fs::path(p.data_dir) / "cluster-view.json").string();
  auto record = iris::cluster::load_view_record(view_file, c.node_id);
  if (!record) throw std::invalid_argument("cluster view: " + record.status().message());
  auto& cl = p.server.cluster;
  if (*record) {
    cl.view = (*record)->view;
    cl.record = std::move(**record);
  } else if (!seeds.empty()) {
    auto view = iris::cluster::parse_members(seeds, c.node_id);
    if (!view) throw std::invalid_argument("--seeds: " + view.status().message());
    cl.view = std::move(*view);
  } else if (!join.empty()) {
    const std::string peer = vm["peer-listen"].as<std::string>();
    std::string advertise = vm["advertise"].as<std::string>();
    if (advertise.empty()) advertise = p.server.listen;
    if (peer.empty()) throw std::invalid_argument("--join needs --peer-listen (members dial it)");
    if (advertise.empty() || advertise.rfind("0.0.0.0:", 0) == 0 || advertise.rfind("[::]:", 0) == 0) {
      throw std::invalid_argument("--join needs --advertise HOST:PORT: where clients reach this node");
    }
    cl.view.epoch = 0;
    cl.view.members.push_back(iris::cluster::Member{c.node_id, peer, advertise,
                                                    iris::cluster::MemberState::kJoining});
    cl.view.self = 0;
    cl.join = join;
  }
  if (cl.enabled()) {
    cl.view_file = view_file;
    cl.name = vm["cluster-name"].as<std::string>();
    cl.peer_listen = vm["peer-listen"].as<std::string>();
    if (cl.peer_listen.empty()) cl.peer_listen = cl.view.members[cl.view.self].peer_address;
    cl.peer_tls_cert = vm["peer-tls-cert"].as<std::string>();
    cl.peer_tls_key = vm["peer-tls-key"].as<std::string>();
    cl.peer_tls_ca = vm["peer-tls-ca"].as<std::string>();
    cl.membership.heartbeat_us =
        static_cast<std::uint64_t>(vm["peer-heartbeat-ms"].as<double>() * 1000);
    cl.membership.down_after_us =
        static_cast<std::uint64_t>(vm["peer-down-after-ms"].as<double>() * 1000);
  }
  p.admin.listen = vm["admin-listen"].as<std::string>();
  p.admin.tls_cert = vm["admin-tls-cert"].as<std::string>();
  p.admin.tls_key = vm["admin-tls-key"].as<std::string>();
  p.admin_tokens = vm["admin-tokens"].as<std::string>();
  p.enable_chaos = vm["enable-chaos"].as<bool>();
  if (!p.admin.listen.empty() && p.admin_tokens.empty())
    throw std::invalid_argument("--admin-listen needs --admin-tokens (the API has no anonymous access)");
  p.secret_file = vm.count("token-secret-file") ? vm["token-secret-file"].as<std::string>()
                                                : (fs::path(p.data_dir) / "node.secret").string();
  return p;
}

int run(const po::variables_map& vm) {
  Parsed p = build_options(vm);
  auto format = vm["log-format"].as<std::string>() == "json" ? iris::logging::Format::kJson
                                                              : iris::logging::Format::kText;
  if (!iris::logging::setup_logging(format, vm["log-level"].as<std::string>())) {
    std::cerr << "iris-node: unknown --log-level\n";
    return 2;
  }
  auto secret = load_secret(p.secret_file, true);
  if (!secret) {
    spdlog::error("{}", secret.status().to_string());
    return 1;
  }
  p.server.core.token_secret = *secret;
  if (p.server.core.insecure_dev_login) {
    spdlog::warn("*** --insecure-dev-login: ANY client can log in as ANY user. Never use this "
                 "outside local development. ***");
  }
  auto store = open_store(p);
  if (!store) {
    spdlog::error("{}", store.status().to_string());
    return 1;
  }
  auto incarnation = (*store)->next_incarnation();
  if (!incarnation) {
    spdlog::error("store: {}", incarnation.status().to_string());
    return 1;
  }
  // Handlers first: a SIGTERM that lands while the workers start must still drain.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGTERM, SIGINT);
  signals.async_wait([](auto, int sig) { spdlog::info("signal {}: draining", sig); });
  bool left = false;
  p.server.cluster.on_left = [&signals_io, &left] {
    boost::asio::post(signals_io, [&signals_io, &left] {
      left = true;
      signals_io.stop();
    });
  };
  std::optional<iris::admin::AdminTokens> admin_tokens;
  if (!p.admin.listen.empty()) {
    auto t = iris::admin::AdminTokens::load(p.admin_tokens);
    if (!t) {
      spdlog::error("{}", t.status().to_string());
      return 1;
    }
    admin_tokens = std::move(*t);
  }
  // Admin disk faults act on this wrapper; with none in force it passes every request through.
  iris::store::FaultyStore faulty(**store);
  iris::net::NodeServer server(p.server, faulty, *incarnation);
  if (auto s = server.start(); !s) {
    spdlog::error("{}", s.to_string());
    return 1;
  }
  std::unique_ptr<iris::admin::NodeBackend> admin_backend;
  std::unique_ptr<iris::admin::AdminApi> admin_api;
  std::unique_ptr<iris::admin::AdminServer> admin_server;
  if (admin_tokens) {
    admin_backend = std::make_unique<iris::admin::NodeBackend>(server, &faulty, *incarnation);
    iris::admin::AdminOptions ao;
    ao.enable_chaos = p.enable_chaos;
    admin_api = std::make_unique<iris::admin::AdminApi>(*admin_backend, std::move(*admin_tokens), ao);
    admin_server = std::make_unique<iris::admin::AdminServer>(*admin_api, p.admin);
    if (auto s = admin_server->start(); !s) {
      spdlog::error("{}", s.to_string());
      server.stop();
      return 1;
    }
    spdlog::info("admin API on {} ({}; chaos {})", p.admin.listen,
                 admin_server->tls() ? "https" : "http", p.enable_chaos ? "ENABLED" : "disabled");
  }
  spdlog::info("iris-node {} '{}' up: tcp={} ws={} tls={} peer={} members={} shards={} "
               "store-partitions={} durability={} incarnation={} data={}",
               IRIS_VERSION, p.server.core.node_id, server.tcp_port(), server.ws_port(),
               server.tls_port(), server.peer_port(), p.server.cluster.view.size(), p.server.core.shards, p.partitions,
               p.relaxed ? "relaxed" : "guaranteed", *incarnation, p.data_dir);
  if (!p.port_file.empty()) {
    std::ofstream pf(p.port_file + ".tmp");
    pf << "{\"tcp\":" << server.tcp_port() << ",\"ws\":" << server.ws_port()
       << ",\"tls\":" << server.tls_port() << ",\"peer\":" << server.peer_port()
       << ",\"admin\":" << (admin_server ? admin_server->port() : 0) << "}\n";
    pf.close();
    fs::rename(p.port_file + ".tmp", p.port_file);
  }
  signals_io.run();
  if (admin_server) admin_server->stop();
  admin_api.reset();  // ends the faults still in force
  server.stop();
  (*store)->flush();
  auto st = server.stats();
  spdlog::info("drained: {} accepted, {} delivered, {} acked, {} persisted; bye", st.accepted,
               st.delivered, st.acked, st.persisted);
  if (left) spdlog::info("this node left the cluster: its data directory can be removed");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1 && std::string(argv[1]) == "token") return mint(argc - 1, argv + 1);
    auto opts = node_options();
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("config")) {
      std::ifstream cfg(vm["config"].as<std::string>());
      if (!cfg) {
        std::cerr << "iris-node: cannot read config file " << vm["config"].as<std::string>() << "\n";
        return 2;
      }
      po::store(po::parse_config_file(cfg, opts), vm);
    }
    if (vm.count("help")) {
      std::cout << "iris-node " << IRIS_VERSION << ": an Iris messaging node.\n\n" << opts
                << "\nMint a login token: iris-node token --user alice [--ttl 1h] [--data-dir D]\n";
      return 0;
    }
    if (vm.count("version")) {
      std::cout << "iris-node " << IRIS_VERSION << "\n";
      return 0;
    }
    po::notify(vm);
    return run(vm);
  } catch (const std::exception& e) {
    std::cerr << "iris-node: " << e.what() << " (see --help)\n";
    return 2;
  }
}
