#include "engine/core/shard.h"

#include <spdlog/spdlog.h>

#include "engine/auth/token.h"
#include "engine/common/logging.h"
#include "engine/core/shard_state.h"

namespace iris::core {

using protocol::ErrorCode;

namespace {
constexpr std::uint64_t kTimeoutCheckUs = 100'000;  // handshake and slow-consumer timeouts
}

Shard::Shard(ShardId id, const CoreConfig& config, std::uint64_t incarnation, ShardEnv& env)
    : id_(id),
      config_(config),
      incarnation_(incarnation),
      env_(env),
      memory_limit_(config.shard_memory_limit) {
  out_.reserve(4096);
  last_gc_us_ = env_.now_us();
  if (const cluster::View* v = env_.view()) {
    view_ = std::make_shared<const cluster::View>(*v);
    done_from_.assign(view_->size(), true);  // no view change seen: nothing comes from anyone
  }
}

void Shard::continue_after(const Shard& predecessor) {
  seq_ = predecessor.seq_;
  session_seq_ = predecessor.session_seq_;
  forward_seq_ = predecessor.forward_seq_;
  memory_limit_ = predecessor.memory_limit_;
  // The cluster picture carries over; a hand-over the predecessor had not finished starts again
  // from the store (its in-memory progress is gone with it).
  view_ = predecessor.view_;
  previous_ = predecessor.previous_;
  done_from_ = predecessor.done_from_;
  all_done_ = predecessor.all_done_;
  if (predecessor.proposal_) freeze(predecessor.proposal_, predecessor.freeze_.round);
  if (view_ && previous_ && !predecessor.handover_reported_) {
    ViewEvent again{ViewEvent::Kind::kCommit, view_, previous_, false, 0, view_->epoch};
    view_ = previous_;  // commit_view() moves from the previous view to this one
    commit_view(again);
  }
}

Shard::~Shard() = default;

void Shard::on_open(ConnId conn) {
  metrics_.connections_opened.add();
  if (draining_) {
    send_frame(conn, protocol::Bye{protocol::ByeReason::kShutdown, 1000, "node is draining"});
    env_.close(conn);
    return;
  }
  handshakes_.emplace(conn, Handshake{env_.now_us(), false});
  metrics_.handshakes.set(static_cast<std::int64_t>(handshakes_.size()));
}

void Shard::on_frame(ConnId conn, const protocol::FrameView& frame) {
  auto decoded = protocol::decode_client(frame);
  if (!decoded) {
    metrics_.bad_frames.add();
    fail(conn, ErrorCode::kBadFrame, decoded.status().message());
    return;
  }
  if (auto s = sessions_.find(conn); s != sessions_.end()) {
    handle_session_frame(*s->second, *decoded);
  } else if (auto h = handshakes_.find(conn); h != handshakes_.end()) {
    handle_handshake(conn, h->second, *decoded);
  }
  // Otherwise the connection is already being closed: drop the frame.
}

void Shard::on_stream_error(ConnId conn, ErrorCode code) {
  metrics_.bad_frames.add();
  fail(conn, code, code == ErrorCode::kFrameTooLarge ? "frame too large" : "malformed frame");
}

void Shard::fail(ConnId conn, ErrorCode code, std::string_view text) {
  send_frame(conn, protocol::Error{code, text.substr(0, protocol::kMaxText)});
  env_.close(conn);
  if (handshakes_.erase(conn))
    metrics_.handshakes.set(static_cast<std::int64_t>(handshakes_.size()));
  end_session(conn);
}

void Shard::handle_handshake(ConnId conn, Handshake& hs, const protocol::ClientFrame& frame) {
  if (const auto* hello = std::get_if<protocol::Hello>(&frame); hello && !hs.hello_done) {
    if (hello->version != protocol::kProtocolVersion) {
      fail(conn, ErrorCode::kUnsupportedVersion, "this node speaks protocol version 1");
      return;
    }
    hs.hello_done = true;
    send_frame(conn, protocol::HelloOk{protocol::kProtocolVersion, protocol::kMaxFrameLength,
                                       config_.node_id});
    return;
  }
  if (const auto* login = std::get_if<protocol::Login>(&frame); login && hs.hello_done) {
    handle_login(conn, *login);
    return;
  }
  fail(conn, ErrorCode::kProtocolViolation,
       hs.hello_done ? "expected LOGIN" : "expected HELLO as the first frame");
}

void Shard::handle_login(ConnId conn, const protocol::Login& login) {
  std::string user;
  auto verified = auth::verify_token(config_.token_secret, login.token, env_.now_us() / 1'000'000);
  if (verified) {
    user = std::move(verified.value());
  } else if (config_.insecure_dev_login && auth::valid_user_id(login.token)) {
    user = std::string(login.token);
  } else {
    metrics_.login_failures.add();
    logging::event(spdlog::level::info, "login_refused",
                   {{"conn", std::to_string(conn)}, {"reason", verified.status().message()}});
    fail(conn, ErrorCode::kAuthFailed, "authentication failed");
    return;
  }
  handshakes_.erase(conn);
  metrics_.handshakes.set(static_cast<std::int64_t>(handshakes_.size()));
  if (incoming(user)) {
    // Moved here by a view change; its old owner is still handing its inbox over.
    metrics_.redirects.add();
    send_frame(conn, protocol::Bye{protocol::ByeReason::kHomeUnreachable, 200,
                                   "your home is moving here: try again shortly"});
    env_.close(conn);
    return;
  }
  if (const cluster::View* view = this->view();
      view && !view->owns(user) && !sabotage(Sabotage::kLoginAnywhere)) {
    // Sessions live on the user's home node, next to its inbox: one hop for every message.
    cluster::NodeIndex home = view->owner_of(user);
    metrics_.redirects.add();
    if (peer_up(home)) {
      const cluster::Member& m = view->members[home];
      send_frame(conn, protocol::Redirect{m.id, m.client_address});
    } else {
      send_frame(conn, protocol::Bye{protocol::ByeReason::kHomeUnreachable, 1000,
                                     "your home node is unreachable from here"});
    }
    env_.close(conn);
    return;
  }
  SessionId sid = (SessionId{id_} << 48) | ++session_seq_;
  ShardId home = shard_of(user, config_.shards);
  if (home == id_) {
    adopt_session(conn, user, sid);
  } else {
    env_.set_home(conn, home);
    env_.post(home, AdoptSession{conn, std::move(user), sid});
  }
}

void Shard::adopt_session(ConnId conn, const std::string& user_id, SessionId sid) {
  if (draining_) {  // a login racing a drain (SIGTERM, or this shard restarting) gets no session
    send_frame(conn, protocol::Bye{protocol::ByeReason::kShutdown, 1000, "node is draining"});
    env_.close(conn);
    return;
  }
  UserState& u = user(user_id);
  if (u.session != nullptr) {  // one session per user: the newest login wins
    ConnId old = u.session->conn;
    metrics_.replaced_sessions.add();
    send_frame(old, protocol::Bye{protocol::ByeReason::kReplaced, 0, "logged in elsewhere"});
    env_.close(old);
    end_session(old);
  }
  auto s = std::make_unique<Session>();
  s->id = sid;
  s->conn = conn;
  s->user = &u;
  std::uint64_t now = env_.now_us();
  s->msg_rate = TokenBucket(config_.max_msgs_per_s, now);
  s->byte_rate = TokenBucket(config_.max_bytes_per_s, now);
  u.session = s.get();
  u.last_active_us = now;
  sessions_.emplace(conn, std::move(s));
  metrics_.logins.add();
  metrics_.sessions.set(static_cast<std::int64_t>(sessions_.size()));
  logging::event(
      spdlog::level::debug, "login",
      {{"session", std::to_string(sid)}, {"user", user_id}, {"conn", std::to_string(conn)}});
  send_frame(conn, protocol::LoginOk{user_id, sid});
  presence_changed(u);
  deliver(u);
}

void Shard::end_session(ConnId conn) {
  auto it = sessions_.find(conn);
  if (it == sessions_.end()) return;
  std::unique_ptr<Session> s = std::move(it->second);
  sessions_.erase(it);
  window_full_.erase(conn);
  UserState& u = *s->user;
  for (const auto& target : s->subscriptions) {
    send_presence_request(PresenceRequest::Kind::kUnsubscribe, u.id, target);
  }
  // Messages in flight on this session stay in memory and are redelivered at the next login.
  for (auto& [id, m] : u.inbox) {
    if (m.delivered_on == s->id) m.delivered_on = 0;
  }
  metrics_.inflight.add(-static_cast<std::int64_t>(s->inflight));
  if (u.session == s.get()) {
    u.session = nullptr;
    u.last_seen_ms = env_.now_us() / 1000;
    u.last_seen_known = true;
    u.last_active_us = env_.now_us();
    env_.store().put_last_seen(u.id, u.last_seen_ms, [](Status) {});
    presence_changed(u);
    evict_durable(u);
    // Its deferred rows (persist_delay_us) must not become durable after a later message for
    // it, which is persisted at once now that it is offline.
    persist_all_now_ = true;
  }
  metrics_.sessions.set(static_cast<std::int64_t>(sessions_.size()));
}

void Shard::on_closed(ConnId conn) {
  if (handshakes_.erase(conn))
    metrics_.handshakes.set(static_cast<std::int64_t>(handshakes_.size()));
  end_session(conn);
}

void Shard::handle_session_frame(Session& s, const protocol::ClientFrame& frame) {
  if (const auto* send = std::get_if<protocol::Send>(&frame)) {
    handle_send(s, *send);
  } else if (const auto* ack = std::get_if<protocol::Ack>(&frame)) {
    handle_ack(s, *ack);
  } else if (const auto* sub = std::get_if<protocol::PresenceSubscribe>(&frame)) {
    std::string target(sub->user);
    if (s.subscriptions.size() >= config_.max_subscriptions_per_session ||
        !auth::valid_user_id(target)) {
      return;  // over the bound or invalid: ignored (documented in protocol.md)
    }
    if (s.subscriptions.insert(target).second) {
      send_presence_request(PresenceRequest::Kind::kSubscribe, s.user->id, target);
    }
  } else if (const auto* unsub = std::get_if<protocol::PresenceUnsubscribe>(&frame)) {
    std::string target(unsub->user);
    if (s.subscriptions.erase(target)) {
      send_presence_request(PresenceRequest::Kind::kUnsubscribe, s.user->id, target);
    }
  } else if (const auto* query = std::get_if<protocol::StatusQuery>(&frame)) {
    std::string target(query->user);
    if (auth::valid_user_id(target)) {
      send_presence_request(PresenceRequest::Kind::kQuery, s.user->id, target);
    }
  } else if (const auto* ping = std::get_if<protocol::Ping>(&frame)) {
    send_frame(s.conn, protocol::Pong{ping->nonce});
  } else if (std::holds_alternative<protocol::ClientBye>(frame)) {
    ConnId conn = s.conn;
    send_frame(conn, protocol::Bye{protocol::ByeReason::kClientBye, 0, "bye"});
    env_.close(conn);
    end_session(conn);
  } else {
    fail(s.conn, ErrorCode::kProtocolViolation, "HELLO/LOGIN after login");
  }
}

void Shard::on_message(ShardMessage&& message) {
  if (auto* route = std::get_if<RouteMessage>(&message)) {
    accept_route(std::move(*route));
  } else if (auto* outcome = std::get_if<SendOutcome>(&message)) {
    if (outcome->origin != cluster::kLocalNode) {
      on_peer_outcome(std::move(*outcome));
    } else {
      on_send_outcome(*outcome);
    }
  } else if (auto* status = std::get_if<PeerStatus>(&message)) {
    on_peer_status(*status);
  } else if (auto* adopt = std::get_if<AdoptSession>(&message)) {
    adopt_session(adopt->conn, adopt->user, adopt->session);
  } else if (auto* req = std::get_if<PresenceRequest>(&message)) {
    handle_presence_request(*req);
  } else if (auto* notice = std::get_if<PresenceNotice>(&message)) {
    on_presence_notice(*notice);
  } else if (auto* ve = std::get_if<ViewEvent>(&message)) {
    on_view_event(*ve);
  } else if (auto* mark = std::get_if<FreezeMark>(&message)) {
    on_freeze_mark(*mark);
  }
}

Shard::UserState& Shard::user(const std::string& id) {
  auto it = users_.find(id);
  if (it != users_.end()) return *it->second;
  auto u = std::make_unique<UserState>(id, config_.dedup_window);
  u->last_active_us = env_.now_us();
  if (cluster::is_handoff_queue(id)) {
    const cluster::View* v = view();
    u->queue_node = v ? v->index_of(cluster::handoff_queue_node(id)) : cluster::kLocalNode;
  }
  UserState& ref = *u;
  users_.emplace(id, std::move(u));
  metrics_.users.set(static_cast<std::int64_t>(users_.size()));
  return ref;
}

void Shard::for_each_user(
    const std::function<void(const std::string&, const UserBrief&)>& fn) const {
  for (const auto& [id, u] : users_) {
    fn(id, UserBrief{u->session != nullptr, u->inbox.size(), u->buckets,
                     !view_ || cluster::is_handoff_queue(id) || view_->owns(id)});
  }
}

Shard::UserState* Shard::find_user(const std::string& id) {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : it->second.get();
}

void Shard::on_tick() {
  std::uint64_t now = env_.now_us();
  if (now - last_timeout_check_us_ >= kTimeoutCheckUs) {
    check_timeouts(now);
    last_timeout_check_us_ = now;
  }
  flush_persist(now, draining_);
  flush_presence(now);
  retry_replays(now);
  if (!load_retry_.empty()) {
    std::vector<std::string> waiting;
    for (auto& id : load_retry_) {
      UserState* u = find_user(id);
      if (u == nullptr || u->load_retry_at_us == 0) continue;
      if (u->load_retry_at_us > now) {
        waiting.push_back(std::move(id));
        continue;
      }
      u->load_retry_at_us = 0;
      deliver(*u);
    }
    load_retry_ = std::move(waiting);
  }
  if (!handover_reported_) check_handed_over();  // a leaving member's queues drain meanwhile
  if (now - last_gc_us_ >= config_.idle_user_gc_us / 4) {
    collect_idle_users(now);
    last_gc_us_ = now;
  }
  flush_removes();
}

void Shard::end_turn() {
  std::uint64_t now = env_.now_us();
  flush_persist(now, draining_);
  flush_presence(now);
  flush_removes();
  if (freeze_.marked && !freeze_.reported) check_drained();
}

void Shard::check_timeouts(std::uint64_t now) {
  std::vector<ConnId> expired;
  for (const auto& [conn, hs] : handshakes_) {
    if (now - hs.started_us > config_.handshake_timeout_us) expired.push_back(conn);
  }
  for (ConnId conn : expired) fail(conn, ErrorCode::kProtocolViolation, "handshake timeout");
  std::vector<ConnId> slow;
  for (ConnId conn : window_full_) {
    const Session& s = *sessions_.at(conn);
    if (now - s.window_full_since_us > config_.slow_consumer_timeout_us) slow.push_back(conn);
  }
  for (ConnId conn : slow) {
    metrics_.slow_consumer_disconnects.add();
    logging::event(
        spdlog::level::info, "slow_consumer_disconnect",
        {{"conn", std::to_string(conn)}, {"session", std::to_string(sessions_[conn]->id)}});
    send_frame(conn, protocol::Bye{protocol::ByeReason::kSlowConsumer, 5000,
                                   "not reading: messages kept for the next login"});
    env_.close(conn);
    end_session(conn);
  }
}

void Shard::collect_idle_users(std::uint64_t now) {
  for (auto it = users_.begin(); it != users_.end();) {
    UserState& u = *it->second;
    if (u.buckets > 1 &&
        now - u.window_start_us > config_.hot_cooldown_windows * config_.hot_window_us) {
      u.buckets = 1;  // silent since: no message can be reordered by the change
      metrics_.hot_demotions.add();
      metrics_.hot_users.add(-1);
    }
    if (u.idle() && now - u.last_active_us > config_.idle_user_gc_us) {
      it = users_.erase(it);
    } else {
      ++it;
    }
  }
  metrics_.users.set(static_cast<std::int64_t>(users_.size()));
}

void Shard::begin_drain() {
  draining_ = true;
  flush_persist(env_.now_us(), true);
  flush_removes();
}

void Shard::finish_drain() {
  draining_ = true;
  std::vector<ConnId> conns;
  for (const auto& [conn, s] : sessions_) conns.push_back(conn);
  for (const auto& [conn, hs] : handshakes_) conns.push_back(conn);
  for (ConnId conn : conns) {
    send_frame(conn, protocol::Bye{protocol::ByeReason::kShutdown, 1000, "node is shutting down"});
    env_.close(conn);
    on_closed(conn);
  }
  flush_persist(env_.now_us(), true);
  flush_removes();
}

ConnId Shard::session_conn(const std::string& user) {
  UserState* u = find_user(user);
  return u != nullptr && u->session != nullptr ? u->session->conn : 0;
}

}  // namespace iris::core
