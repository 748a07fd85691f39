#pragma once
// Shard: one router shard of a node, a single-threaded, sans-I/O state machine. It owns the users
// that hash to it (sessions, in-memory inbox, presence, retry dedup) and the handshakes of the
// connections accepted on it. Events come in through the on_* methods; effects go out through
// ShardEnv. Not thread-safe: the driver calls it from one thread only. The ShardEnv and its store
// must outlive it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/core/config.h"
#include "engine/core/dedup_window.h"
#include "engine/core/shard_env.h"
#include "engine/core/shard_message.h"
#include "engine/core/shard_metrics.h"
#include "engine/core/token_bucket.h"
#include "engine/protocol/codec.h"

namespace iris::core {

class Shard {
 public:
  Shard(ShardId id, const CoreConfig& config, std::uint64_t incarnation, ShardEnv& env);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Connection events. A connection is opened on the shard that accepted it; after LOGIN its
  // frames and close event go to the user's home shard (ShardEnv::set_home).
  void on_open(ConnId conn);
  void on_frame(ConnId conn, const protocol::FrameView& frame);
  void on_stream_error(ConnId conn, protocol::ErrorCode code);  // framing failed (size, empty)
  void on_closed(ConnId conn);

  void on_message(ShardMessage&& message);  // from a shard's mailbox (maybe this one)
  void on_tick();                           // timers: call every few milliseconds
  void end_turn();  // after each batch of events: persist and flush what the turn produced

  // SIGTERM, in two steps. begin_drain(): refuse new messages (RETRY_LATER) and persist every
  // pending one now, so their senders get SEND_ACK while still connected. The driver then flushes
  // the store and lets the completions run; finish_drain() says BYE to every session and closes.
  void begin_drain();
  void finish_drain();

  ShardId id() const { return id_; }
  // Memory pressure: lowers (or restores) the bytes of messages this shard holds in memory before
  // it answers RETRY_LATER (starts at CoreConfig::shard_memory_limit). Messages already held stay.
  void set_memory_limit(std::uint64_t bytes) { memory_limit_ = bytes; }
  std::uint64_t memory_limit() const { return memory_limit_; }
  // A shard restarted in place (the admin fault shard_restart) continues its predecessor's id
  // sequences, so message, session and relay ids never repeat within the incarnation.
  void continue_after(const Shard& predecessor);
  // Forwards to other nodes still waiting for their outcome.
  std::size_t forwards_in_flight() const { return forwards_.size(); }
  // The connection of `user`'s session on this shard, or 0 when it has none (admin faults).
  ConnId session_conn(const std::string& user);
  // Read-only walk over the users (and hand-off queues) this shard holds: for the simulator's
  // checkers and snapshots, not for the hot path.
  struct UserBrief {
    bool online = false;
    std::size_t inbox = 0;      // messages held in memory
    std::uint32_t buckets = 1;  // > 1: a hot recipient
    bool owned = true;          // this node owns it under the shard's view (a single node: yes)
  };
  void for_each_user(
      const std::function<void(const std::string& user, const UserBrief& brief)>& fn) const;
  const ShardMetrics& metrics() const { return metrics_; }
  // View changes (for snapshots and tests): the epoch of the proposal this shard is frozen for
  // (0: none), and how many moved users it still has to hand over.
  std::uint64_t frozen_epoch() const { return proposal_ ? proposal_->epoch : 0; }
  std::size_t handing_over() const { return handing_over_.size() + (handover_listing_ ? 1 : 0); }
  std::size_t pending_persist() const {
    return persist_now_.size() + persist_later_.size() + persist_retry_.size() +
           (persist_inflight_ ? 1 : 0);
  }

 private:
  struct InboxMessage;
  struct UserState;
  struct Session;
  struct Handshake {
    std::uint64_t started_us = 0;
    bool hello_done = false;
  };
  struct PersistRef {
    std::string user;
    std::uint64_t id = 0;
    std::uint64_t due_us = 0;
  };

  // shard.cpp: connections, handshake, session frames, timers
  void handle_handshake(ConnId conn, Handshake& hs, const protocol::ClientFrame& frame);
  void handle_login(ConnId conn, const protocol::Login& login);
  void handle_session_frame(Session& s, const protocol::ClientFrame& frame);
  void adopt_session(ConnId conn, const std::string& user, SessionId sid);
  void end_session(ConnId conn);
  void fail(ConnId conn, protocol::ErrorCode code, std::string_view text);
  void check_timeouts(std::uint64_t now);
  void collect_idle_users(std::uint64_t now);
  UserState& user(const std::string& id);
  UserState* find_user(const std::string& id);
  template <typename Frame>
  void send_frame(ConnId conn, const Frame& frame);

  // shard_inbox.cpp: routing, inbox, persistence, acks
  void handle_send(Session& s, const protocol::Send& send);
  void handle_ack(Session& s, const protocol::Ack& ack);
  void accept_route(RouteMessage&& route);
  void on_send_outcome(const SendOutcome& outcome);
  void reply_outcome(const std::string& sender, std::uint64_t client_msg_id,
                     protocol::SendStatus status, std::uint64_t server_id, std::uint32_t retry_ms,
                     cluster::NodeIndex origin = cluster::kLocalNode, std::uint64_t relay_id = 0,
                     std::string_view handover_recipient = {});
  void deliver(UserState& u);
  void send_deliver(ConnId conn, std::uint64_t id, const InboxMessage& m);
  void start_load(UserState& u);
  void on_loaded(const std::string& user_id, Result<std::vector<store::StoredMessage>> rows);
  void flush_persist(std::uint64_t now, bool everything);
  void on_persisted(std::vector<PersistRef> refs, std::uint64_t started_us, Status status);
  void finish_message(UserState& u, std::map<std::uint64_t, InboxMessage>::iterator it);
  void evict_durable(UserState& u);
  void settle(UserState& u, std::map<std::uint64_t, InboxMessage>::iterator it,
              std::uint64_t server_id);
  void flush_removes();
  std::map<std::uint64_t, InboxMessage>::iterator erase_message(
      UserState& u, std::map<std::uint64_t, InboxMessage>::iterator it);
  std::uint64_t next_message_id() { return make_message_id(incarnation_, id_, ++seq_); }
  std::uint32_t bucket_for(UserState& u, const std::string& sender, std::uint64_t now);

  // shard_cluster.cpp: forwarding to other nodes, hinted hand-off, peer status
  bool relay_route(UserState& queue, RouteMessage& r);
  void replay_handoff(UserState& q);
  void on_peer_outcome(SendOutcome&& o);
  void on_peer_status(const PeerStatus& p);
  void peer_down(cluster::NodeIndex node);
  bool peer_up(cluster::NodeIndex node) const;
  bool queue_known_empty(const UserState& q) const;
  void retry_replays(std::uint64_t now);
  // Posts to the shard (of this node or, in a cluster, another node) that is home to `user`.
  // False when it could not be sent (peer link down).
  bool post_to_user(const std::string& user, ShardMessage message);

  // shard_view.cpp: view changes (engine/cluster/reconfig.h, docs/cluster.md)
  const cluster::View* view() const { return view_.get(); }
  void on_view_event(const ViewEvent& e);
  void on_freeze_mark(const FreezeMark& m);
  void freeze(std::shared_ptr<const cluster::View> proposal, std::uint64_t round);
  bool drained() const;
  void check_drained();
  void commit_view(const ViewEvent& e);
  void start_user_handover(UserState& u, cluster::NodeIndex to);
  bool handed_over(const UserState& u) const;
  void check_handed_over();
  // Frozen for a proposal that gives `user` another owner than the view does.
  bool moves(std::string_view user) const;
  // `user` came to this node at the last commit and its old owner has not said it handed it over.
  bool incoming(std::string_view user) const;
  // This node owns `user` under the view of `epoch` (the current one, the one before it, or the
  // proposal it is frozen for) and under the current one.
  bool owns_under(std::uint64_t epoch, std::string_view user) const;

  // shard_presence.cpp
  void handle_presence_request(const PresenceRequest& req);
  void on_presence_notice(const PresenceNotice& notice);
  void presence_changed(UserState& u);
  void flush_presence(std::uint64_t now);
  void reply_presence(UserState& target, const std::string& requester);
  void send_presence_request(PresenceRequest::Kind kind, const std::string& requester,
                             const std::string& target);

  const ShardId id_;
  const CoreConfig config_;
  const std::uint64_t incarnation_;
  ShardEnv& env_;
  ShardMetrics metrics_;
  protocol::Bytes out_;  // scratch buffer for encoding one frame

  std::uint64_t seq_ = 0;
  std::uint64_t session_seq_ = 0;
  std::unordered_map<ConnId, Handshake> handshakes_;
  std::unordered_map<ConnId, std::unique_ptr<Session>> sessions_;
  std::unordered_map<std::string, std::unique_ptr<UserState>> users_;

  // Durability follows acceptance order per recipient: one persist batch in flight at a time, and
  // a failed batch's rows go first into the next one (all or none), after store_retry_us. Else a
  // later message could become durable before an earlier one, and a crash would leave the later
  // one to be delivered before the earlier one's retry (found by the simulator, MIX seed 731).
  std::vector<PersistRef> persist_retry_;  // rows of a failed batch, in order
  bool persist_inflight_ = false;
  std::uint64_t persist_blocked_until_us_ = 0;
  bool persist_all_now_ = false;          // a session ended: its deferred rows go now
  std::vector<PersistRef> persist_now_;   // offline recipients: persist this turn
  std::deque<PersistRef> persist_later_;  // online recipients: persist unless ACKed by due_us
  std::vector<std::uint64_t> removes_;    // ids acked after they were durable
  std::uint32_t removes_inflight_ = 0;
  std::vector<std::string> presence_dirty_;
  std::uint64_t memory_bytes_ = 0;         // payload + overhead of messages held in memory
  std::uint64_t memory_limit_;             // CoreConfig::shard_memory_limit unless squeezed
  std::uint64_t store_down_until_us_ = 0;  // refuse new messages until then after a store error
  std::uint64_t last_gc_us_ = 0;
  std::uint64_t last_timeout_check_us_ = 0;
  // Only what timers must look at, so a tick costs O(that), not O(users): sessions whose ACK
  // window is full, users whose inbox load failed and waits for a retry.
  std::unordered_set<ConnId> window_full_;
  std::vector<std::string> load_retry_;
  bool draining_ = false;

  // Cluster. peer_up_[i]: the link to member i is up (its circuit closed); false until the
  // driver says otherwise. forwards_: messages this shard sent straight to their owner node and
  // whose outcome has not come back, by relay id (kept to queue them if the link fails).
  struct Forward {
    cluster::NodeIndex node = 0;
    RouteMessage route;
  };
  std::vector<bool> peer_up_;
  std::map<std::uint64_t, Forward> forwards_;
  std::uint64_t forward_bytes_ = 0;
  std::uint64_t forward_seq_ = 0;
  std::vector<std::string> replay_retry_;  // hand-off queues waiting out an owner's refusal

  // View changes. view_: the current view (nullptr: a single node); previous_: the one before the
  // last commit (nullptr: none); proposal_: the proposal this shard is frozen for (nullptr: none).
  std::shared_ptr<const cluster::View> view_, previous_, proposal_;
  struct Freeze {
    std::uint64_t epoch = 0;
    std::uint64_t round = 0;
    std::uint32_t marks = 0;         // FreezeMarks received from the other shards
    bool marked = false;             // ... all of them: the marks below are set
    std::uint64_t relay_mark = 0;    // forwards with a relay id up to this one must be answered
    std::uint64_t message_mark = 0;  // hand-off queue rows with an id up to this one too
    bool reported = false;
  };
  Freeze freeze_;
  std::vector<FreezeMark> early_marks_;  // other shards' marks for a freeze not seen here yet
  std::uint64_t last_relay_id_ = 0;  // of the last direct forward
  // Hand-over in: done_from_[i], member i has handed over what this node gained from it in the
  // current epoch; until then those users are refused (incoming()).
  std::vector<bool> done_from_;
  bool all_done_ = true;
  // Hand-over out: users lost at the last commit whose inbox is still on its way to the new owner.
  std::set<std::string> handing_over_;
  bool handover_listing_ = false;  // the store is still listing the inboxes it holds
  bool handover_reported_ = true;
  std::uint64_t handover_epoch_ = 0;

  // CoreConfig::sabotage (tests only): true on the sabotage_nth occurrence of `kind`.
  bool sabotage(Sabotage kind) {
    return config_.sabotage == kind && ++sabotage_seen_ == config_.sabotage_nth;
  }
  std::uint64_t sabotage_seen_ = 0;
};

}  // namespace iris::core
