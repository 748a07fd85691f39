#pragma once
// ClientCore: the client side of protocol v1 without I/O — handshake, sends with retry under the
// same client message id, automatic batched ACKs, duplicate suppression by server message id,
// presence. Bytes in through on_bytes(), bytes out through take_output(), what happened through
// take_events(). Used by the Asio client, the load generator and the simulator's virtual clients.
// Not thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "engine/protocol/codec.h"

namespace iris::client {

struct ClientOptions {
  std::string token;              // LOGIN token (or a bare user id on an insecure dev node)
  std::string client_name = "iris-client";
  std::uint64_t resend_after_us = 3'000'000;  // resend an unanswered SEND after this long
  std::size_t max_pending_sends = 4096;       // send() refuses beyond this (backpressure)
  std::size_t dedup_capacity = 1 << 16;       // deliveries remembered to drop redeliveries
                                              // (0: none; every redelivery is surfaced again)
  // true: ACK every DELIVER when it is surfaced. false: the application ACKs with ack(); a
  // delivery it did not ACK is surfaced again when the node redelivers it (after a reconnect),
  // and only ACKed ones count as seen for duplicate suppression.
  bool auto_ack = true;
};

struct LoggedIn { std::string user; std::uint64_t session_id = 0; };
struct Delivered {
  std::uint64_t server_msg_id = 0;
  std::string sender;
  std::uint64_t client_msg_id = 0;
  std::uint64_t server_ts_us = 0;
  std::string payload;
};
struct SendDone {
  std::uint64_t client_msg_id = 0;
  protocol::SendStatus status = protocol::SendStatus::kOk;  // kOk or a final refusal
  std::uint64_t server_msg_id = 0;
};
struct PresenceChanged {
  std::string user;
  protocol::PresenceState state = protocol::PresenceState::kOffline;
  std::uint64_t last_seen_ms = 0;
};
struct ServerError { protocol::ErrorCode code{}; std::string text; };
struct ServerBye { protocol::ByeReason reason{}; std::uint32_t reconnect_after_ms = 0; std::string text; };
struct PongReceived { std::uint64_t nonce = 0; };
struct ProtocolFailure { std::string what; };  // the server sent bytes we cannot decode
// The node answered LOGIN with REDIRECT: the user's home is node `node_id`, reachable at `address`
// ("" in the simulator). The node closes the connection; pending sends are kept, as on any
// disconnect, and go out after the next login (on the home node, if the caller reconnects there).
struct Redirected { std::string node_id; std::string address; };

using ClientEvent = std::variant<LoggedIn, Delivered, SendDone, PresenceChanged, ServerError,
                                 ServerBye, PongReceived, ProtocolFailure, Redirected>;

class ClientCore {
 public:
  ClientCore(ClientOptions options, std::uint64_t now_us);
  // Movable, not copyable: the dedup ring points into its own set's elements.
  ClientCore(const ClientCore&) = delete;
  ClientCore& operator=(const ClientCore&) = delete;
  ClientCore(ClientCore&&) = default;
  ClientCore& operator=(ClientCore&&) = default;

  // Transport events.
  void on_connected(std::uint64_t now_us);   // queues HELLO + LOGIN
  void on_bytes(std::span<const std::uint8_t> bytes, std::uint64_t now_us);
  void on_disconnected();                     // unacked sends are resent after the next login
  void on_tick(std::uint64_t now_us);         // resends overdue SENDs

  // Application calls. send() returns the client message id, or 0 when too many are pending or
  // the arguments are over the protocol limits.
  std::uint64_t send(std::string_view recipient, std::string_view payload, std::uint64_t now_us);
  void subscribe(std::string_view user);
  void unsubscribe(std::string_view user);
  void query_status(std::string_view user);
  void ping(std::uint64_t nonce);
  void bye();
  // Manual acknowledgement (auto_ack false): the application is done with this delivery; the node
  // deletes it. Unknown ids are ignored.
  void ack(std::uint64_t server_msg_id);

  protocol::Bytes take_output();
  bool has_output() const { return !out_.empty(); }
  std::vector<ClientEvent> take_events();
  // The same into `out` (cleared first), swapping buffers: a caller that keeps `out` across calls
  // lets both keep their capacity (no allocation per batch of events).
  void take_events(std::vector<ClientEvent>& out);

  bool logged_in() const { return logged_in_; }
  const std::string& user() const { return user_; }
  std::size_t pending_sends() const { return pending_.size(); }
  std::uint64_t duplicates_dropped() const { return duplicates_; }

 private:
  struct Pending {
    std::string recipient;
    std::string payload;
    std::uint64_t last_sent_us = 0;  // 0: not sent on this connection yet
    std::uint64_t not_before_us = 0;  // RETRY_LATER hint
  };
  void handle(const protocol::ServerFrame& frame, std::uint64_t now_us);
  void transmit(std::uint64_t id, Pending& p, std::uint64_t now_us);
  void pump_sends(std::uint64_t now_us);  // (re)sends in id order; never past a waiting one
  void mark_unsent(Pending& p);
  static std::string origin_key(std::string_view sender, std::uint64_t client_msg_id);
  bool seen(std::uint64_t server_msg_id, const std::string& origin) const;
  void remember(std::uint64_t server_msg_id, std::string origin);

  ClientOptions options_;
  protocol::Bytes out_;
  protocol::FrameReader reader_;
  std::vector<ClientEvent> events_;
  std::map<std::uint64_t, Pending> pending_;  // by client message id: resent in order
  std::size_t unsent_ = 0;  // pending_ entries not on the wire (new while waiting, or refused)
  // A delivery is a duplicate if its server id was seen (a redelivery), or its (sender, client id)
  // was (the same message stored twice when a node crashed between its commit and SEND_ACK).
  std::unordered_set<std::uint64_t> seen_ids_;
  std::unordered_set<std::string> seen_origins_;  // sender + '\0' + client id
  struct SeenEntry {
    std::uint64_t id;
    const std::string* origin;  // its element of seen_origins_, or null
  };
  std::vector<SeenEntry> seen_order_;  // arrival order from seen_head_ (no deque: ~600 B when empty)
  std::size_t seen_head_ = 0;
  std::uint64_t max_seen_id_ = 0;
  std::unordered_map<std::uint64_t, std::string> unacked_;  // manual ack: surfaced, not ACKed
  std::vector<std::uint64_t> to_ack_;
  std::uint64_t next_id_;
  std::uint64_t duplicates_ = 0;
  bool connected_ = false;
  bool logged_in_ = false;
  bool failed_ = false;
  std::string user_;
  std::string hello_node_;  // the node this connection's HELLO_OK named
  std::string home_node_;   // the node of the last LOGIN_OK: server ids seen are its ids
};

}  // namespace iris::client
