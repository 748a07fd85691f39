#include "simulator/real_target.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace iris::sim {

namespace {
constexpr std::uint64_t kReconnectUs = 200'000;  // after the node closed a session
}

struct RealTarget::User {
  std::string id;
  bool redirected = false;  // its home sent it elsewhere (ownership disagrees)
  ClientSpec spec;
  std::unique_ptr<client::Client> client;  // null while offline
  bool offline = false;
  bool reconnect_armed = false;
  std::uint64_t acked_this_session = 0;
  std::uint64_t redeliveries = 0;  // duplicates dropped by past sessions' clients
  struct Unacked {
    std::string sender;
    std::uint64_t client_msg_id = 0;
  };
  std::vector<Unacked> unacked;
  std::vector<PresenceSeen> presence;
};

std::uint64_t RealTarget::now_us() const {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

void RealTarget::at(std::uint64_t t_us, std::function<void()> fn) {
  const std::uint64_t seq = ++timer_seq_;
  timers_.push({t_us, seq});
  timer_fns_.emplace(seq, std::move(fn));
}

void RealTarget::run_until(std::uint64_t t_us) {
  while (now_us() < t_us) {
    bool busy = false;
    while (!timers_.empty() && timers_.top().t <= now_us()) {
      const std::uint64_t seq = timers_.top().seq;
      timers_.pop();
      auto fn = std::move(timer_fns_.at(seq));
      timer_fns_.erase(seq);
      ++events_;
      fn();
      busy = true;
    }
    busy = pump_clients() || busy;
    if (!busy) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

RealTarget::User* RealTarget::find(const std::string& user) const {
  auto it = users_.find(user);
  return it == users_.end() ? nullptr : it->second.get();
}

void RealTarget::add_client(const std::string& user, const ClientSpec& spec) {
  auto u = std::make_unique<User>();
  u->id = user;
  u->spec = spec;
  u->offline = !spec.online;
  User& ref = *u;
  users_[user] = std::move(u);
  if (!ref.offline) connect(ref);
}

void RealTarget::connect(User& u) {
  if (!ready_ || u.offline || u.client) return;
  const Endpoint ep = endpoint(u.id);
  client::ClientOptions o;
  o.token = ep.token;
  o.client_name = "iris-fire";
  o.max_pending_sends = 1024;
  o.auto_ack = !u.spec.acks_per_session;
  if (!client_dedup_) o.dedup_capacity = 0;
  auto c = client::Client::connect(ep.host, ep.port, o, ep.transport);
  if (!c) {
    const std::string& why = c.status().message();
    if (why.find("redirected") != std::string::npos) u.redirected = true;
    spdlog::warn("iris-fire: {} could not log in: {}", u.id, why);
    reconnect_later(u);
    return;
  }
  u.client = std::move(*c);
  handle_events(u);
}

void RealTarget::reconnect_later(User& u) {
  if (u.reconnect_armed) return;
  u.reconnect_armed = true;
  at(now_us() + kReconnectUs, [this, &u] {
    u.reconnect_armed = false;
    connect(u);
  });
}

// The session ends: what the application left unacknowledged will come again.
void RealTarget::disconnect(User& u) {
  if (!u.client) return;
  handle_events(u);
  u.redeliveries += u.client->core().duplicates_dropped();
  for (const auto& m : u.unacked) checker_.on_released(u.id, m.sender, m.client_msg_id);
  u.unacked.clear();
  u.acked_this_session = 0;
  u.client->close();
  u.client.reset();
}

bool RealTarget::pump_clients() {
  bool busy = false;
  for (auto& [id, u] : users_) {
    if (!u->client) continue;
    busy = u->client->poll() || busy;
    if (!u->client->events().empty()) handle_events(*u);
    if (!u->client->connected()) {  // the node closed it: reconnect, as the simulator's clients do
      disconnect(*u);
      if (!u->offline) reconnect_later(*u);
    }
  }
  return busy;
}

void RealTarget::handle_events(User& u) {
  auto events = std::move(u.client->events());
  u.client->events().clear();
  for (auto& e : events) {
    if (auto* d = std::get_if<client::Delivered>(&e)) {
      checker_.on_delivered(u.id, d->sender, d->client_msg_id, d->payload, now_us());
      if (u.spec.acks_per_session) {
        if (u.acked_this_session < *u.spec.acks_per_session) {
          ++u.acked_this_session;
          u.client->core().ack(d->server_msg_id);
        } else {
          u.unacked.push_back({d->sender, d->client_msg_id});
        }
      }
    } else if (auto* done = std::get_if<client::SendDone>(&e)) {
      if (done->status == protocol::SendStatus::kOk) {
        checker_.on_acked(u.id, done->client_msg_id, now_us());
      }
    } else if (auto* f = std::get_if<client::ProtocolFailure>(&e)) {
      checker_.report("protocol", u.id + "'s client could not decode the node: " + f->what);
    } else if (auto* p = std::get_if<client::PresenceChanged>(&e)) {
      u.presence.push_back(PresenceSeen{p->user, p->state == protocol::PresenceState::kOnline,
                                        p->last_seen_ms, now_us()});
    }
  }
}

void RealTarget::set_online(const std::string& user, bool online) {
  User* u = find(user);
  if (u == nullptr || u->offline == !online) return;
  u->offline = !online;
  if (online) {
    connect(*u);
  } else {
    disconnect(*u);
  }
}

bool RealTarget::online(const std::string& user) const {
  User* u = find(user);
  return u != nullptr && u->client && u->client->core().logged_in();
}

void RealTarget::subscribe(const std::string& user, const std::string& target) {
  if (User* u = find(user); u && u->client) u->client->core().subscribe(target);
}

void RealTarget::query_presence(const std::string& user, const std::string& target) {
  if (User* u = find(user); u && u->client) u->client->core().query_status(target);
}

const std::vector<PresenceSeen>& RealTarget::presence_seen(const std::string& user) const {
  static const std::vector<PresenceSeen> kNone;
  User* u = find(user);
  return u ? u->presence : kNone;
}

std::uint64_t RealTarget::send(const std::string& from, const std::string& to,
                                 const std::string& payload, std::uint64_t scheduled_us) {
  User* u = find(from);
  if (u == nullptr || !u->client) return 0;  // offline: the caller keeps it for later
  const std::uint64_t id = u->client->send(to, payload);
  if (id != 0) checker_.on_send(from, to, id, payload, std::min(scheduled_us, now_us()));
  return id;
}

std::uint64_t RealTarget::wire_redeliveries(const std::string& user) const {
  User* u = find(user);
  if (u == nullptr) return 0;
  return u->redeliveries + (u->client ? u->client->core().duplicates_dropped() : 0);
}

bool RealTarget::settled() const {
  if (checker_.undelivered_acked() != 0) return false;
  for (const auto& [id, u] : users_) {
    if (u->client && u->client->core().pending_sends() != 0) return false;
  }
  return true;
}

RealTarget::RealTarget() = default;

RealTarget::~RealTarget() {
  close_clients();
}

void RealTarget::close_clients() {
  for (auto& [id, u] : users_) u->client.reset();
}

void RealTarget::all_online() {
  for (auto& [id, u] : users_) set_online(id, true);
}

std::vector<std::string> RealTarget::misplaced_sessions() const {
  std::vector<std::string> out;
  for (const auto& [id, u] : users_) {
    if (u->redirected) out.push_back(id);
  }
  return out;
}

}  // namespace iris::sim
