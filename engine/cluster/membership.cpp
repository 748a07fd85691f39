#include "engine/cluster/membership.h"

#include <algorithm>
#include <utility>

namespace iris::cluster {

const char* to_string(LinkState state) {
  switch (state) {
    case LinkState::kOpen:
      return "open";
    case LinkState::kConnecting:
      return "connecting";
    case LinkState::kHalfOpen:
      return "half-open";
    case LinkState::kClosed:
      return "closed";
  }
  return "?";
}

const char* to_string(MemberState state) {
  switch (state) {
    case MemberState::kActive:
      return "active";
    case MemberState::kJoining:
      return "joining";
    case MemberState::kLeaving:
      return "leaving";
    case MemberState::kLeft:
      return "left";
  }
  return "?";
}

Membership::Membership(View view, MembershipConfig cfg, std::uint64_t seed, std::uint64_t now_us)
    : view_(std::move(view)), cfg_(cfg), rng_(seed), peers_(view_.size()) {
  cfg_.jitter = std::clamp(cfg_.jitter, 0.0, 1.0);  // a negative delay factor makes no sense
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (is_peer(static_cast<NodeIndex>(i)) && we_dial(static_cast<NodeIndex>(i)))
      peers_[i].retry_at_us = now_us;
  }
}

void Membership::set_view(View view, std::uint64_t now_us) {
  const std::size_t old_size = peers_.size();
  view_ = std::move(view);
  peers_.resize(std::max(old_size, view_.size()));
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const auto peer = static_cast<NodeIndex>(i);
    if (peer == view_.self) continue;
    Peer& p = peers_[i];
    if (!view_.linked(peer)) {
      // Left the cluster: close whatever link there is, without a failure to report as one.
      if (p.state != LinkState::kOpen) actions_.push_back(CloseLink{peer});
      if (p.state == LinkState::kClosed) actions_.push_back(StatusChanged{peer, false});
      p = Peer{};
      continue;
    }
    if (i >= old_size && we_dial(peer)) p.retry_at_us = now_us;  // a new member: dial it now
  }
}

void Membership::on_tick(std::uint64_t now_us) {
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const auto peer = static_cast<NodeIndex>(i);
    if (!is_peer(peer)) continue;
    Peer& p = peers_[i];
    switch (p.state) {
      case LinkState::kOpen:
        if (we_dial(peer) && now_us >= p.retry_at_us) {
          p.state = LinkState::kConnecting;
          p.dial_deadline_us = now_us + cfg_.down_after_us;
          actions_.push_back(Dial{peer});
        }
        break;
      case LinkState::kConnecting:
        if (now_us >= p.dial_deadline_us) fail(peer, now_us, /*close=*/true);
        break;
      case LinkState::kHalfOpen:
      case LinkState::kClosed:
        if (now_us >= p.last_heard_us + cfg_.down_after_us) {
          fail(peer, now_us, /*close=*/true);
        } else if (now_us >= p.next_heartbeat_us) {
          send_heartbeat(peer, now_us);
        }
        break;
    }
  }
}

void Membership::on_link_up(NodeIndex peer, std::uint64_t now_us) {
  if (!is_peer(peer)) return;
  Peer& p = peers_[peer];
  // A new link while one was up replaces it (the peer reconnected, perhaps after a restart): the
  // peer has to prove itself again on the new link, so it is down until its first Heartbeat.
  if (p.state == LinkState::kClosed) {
    ++p.downs;
    actions_.push_back(StatusChanged{peer, false});
  }
  p.state = LinkState::kHalfOpen;
  p.last_heard_us = now_us;
  send_heartbeat(peer, now_us);
}

void Membership::on_link_down(NodeIndex peer, std::uint64_t now_us) {
  if (!is_peer(peer)) return;
  // In kOpen there is no link to lose: a late report about a link we already gave up on.
  if (peers_[peer].state != LinkState::kOpen) fail(peer, now_us, /*close=*/false);
}

void Membership::on_frame(NodeIndex peer, std::uint64_t now_us) {
  if (!is_peer(peer)) return;
  peers_[peer].last_heard_us = now_us;
}

void Membership::on_heartbeat(NodeIndex peer, const Heartbeat& hb, std::uint64_t now_us) {
  if (!is_peer(peer)) return;
  on_frame(peer, now_us);
  Peer& p = peers_[peer];
  if (!connected(p)) return;  // left over from a link we gave up on: nobody to answer
  if (p.state == LinkState::kHalfOpen) {
    p.state = LinkState::kClosed;
    p.consecutive_failures = 0;
    ++p.ups;
    actions_.push_back(StatusChanged{peer, true});
  }
  HeartbeatAck ack;
  ack.seq = hb.seq;
  ack.echo_sent_us = hb.sent_us;
  actions_.push_back(SendHeartbeatAck{peer, ack});
}

void Membership::on_heartbeat_ack(NodeIndex peer, const HeartbeatAck& ack, std::uint64_t now_us) {
  if (!is_peer(peer)) return;
  on_frame(peer, now_us);
  Peer& p = peers_[peer];
  // Only an ack of a Heartbeat we sent gives a sample; anything else would be a made-up RTT.
  if (connected(p) && ack.seq >= 1 && ack.seq <= p.last_seq && ack.echo_sent_us <= now_us)
    p.rtt_us = now_us - ack.echo_sent_us;
}

std::vector<MembershipAction> Membership::take_actions() {
  return std::exchange(actions_, {});
}

bool Membership::is_up(NodeIndex node) const {
  if (node == view_.self) return true;
  return is_peer(node) && peers_[node].state == LinkState::kClosed;
}

std::uint64_t Membership::next_deadline_us() const {
  std::uint64_t next = kNoDeadline;
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const auto peer = static_cast<NodeIndex>(i);
    if (!is_peer(peer)) continue;
    const Peer& p = peers_[i];
    switch (p.state) {
      case LinkState::kOpen:
        if (we_dial(peer)) next = std::min(next, p.retry_at_us);
        break;
      case LinkState::kConnecting:
        next = std::min(next, p.dial_deadline_us);
        break;
      case LinkState::kHalfOpen:
      case LinkState::kClosed:
        next = std::min({next, p.next_heartbeat_us, p.last_heard_us + cfg_.down_after_us});
        break;
    }
  }
  return next;
}

std::vector<PeerInfo> Membership::peers() const {
  std::vector<PeerInfo> out;
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const auto node = static_cast<NodeIndex>(i);
    if (!is_peer(node)) continue;
    const Peer& p = peers_[i];
    out.push_back(PeerInfo{node, p.state, p.state == LinkState::kClosed, p.last_heard_us, p.rtt_us,
                           p.consecutive_failures, p.retry_at_us, p.ups, p.downs});
  }
  return out;
}

void Membership::send_heartbeat(NodeIndex peer, std::uint64_t now_us) {
  Peer& p = peers_[peer];
  Heartbeat hb;
  hb.seq = ++p.last_seq;
  hb.sent_us = now_us;
  hb.epoch = view_.epoch;
  hb.handover_epoch = handover_epoch_;
  p.next_heartbeat_us = now_us + cfg_.heartbeat_us;
  actions_.push_back(SendHeartbeat{peer, hb});
}

// `close`: the link (or dial) is still there as far as the driver knows, because the failure is
// our own timeout; after on_link_down the driver has already dropped it.
void Membership::fail(NodeIndex peer, std::uint64_t now_us, bool close) {
  Peer& p = peers_[peer];
  if (close) actions_.push_back(CloseLink{peer});
  if (p.state == LinkState::kClosed) {
    ++p.downs;
    actions_.push_back(StatusChanged{peer, false});
  }
  p.state = LinkState::kOpen;
  if (p.consecutive_failures < std::numeric_limits<std::uint32_t>::max()) ++p.consecutive_failures;
  // The side that is dialed has nothing to schedule; it draws no random number either, so its
  // PRNG sequence depends only on its own dials.
  p.retry_at_us = we_dial(peer) ? now_us + backoff_us(p.consecutive_failures) : 0;
}

std::uint64_t Membership::backoff_us(std::uint32_t failures) {
  const std::uint64_t cap = cfg_.backoff_max_us;
  std::uint64_t base = std::min(cfg_.backoff_min_us, cap);
  for (std::uint32_t i = 1; i < failures && base != 0 && base < cap; ++i) {
    base = base > cap / 2 ? cap : base * 2;  // no overflow, whatever the config
  }
  const double factor = 1.0 - cfg_.jitter + 2.0 * cfg_.jitter * next_unit();
  return static_cast<std::uint64_t>(std::min(static_cast<double>(base) * factor, 0x1.0p62));
}

double Membership::next_unit() {
  // splitmix64: tiny, and the same sequence on every platform (std:: distributions are not).
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace iris::cluster
