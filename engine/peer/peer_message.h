#pragma once
// The ShardMessages that cross nodes, as peer frames: one helper for every driver (the Asio peer
// links and the simulator) so both put exactly the same bytes on a link.

#include <optional>

#include "engine/core/shard_message.h"
#include "engine/peer/peer_codec.h"

namespace iris::peer {

// The peer frame for a RouteMessage, SendOutcome, PresenceRequest or PresenceNotice; nothing for
// the kinds that never leave a node (AdoptSession, PeerStatus).
inline std::optional<PeerFrame> to_peer_frame(core::ShardMessage&& message) {
  return std::visit(
      [](auto& m) -> std::optional<PeerFrame> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, core::AdoptSession> ||
                      std::is_same_v<T, core::PeerStatus> || std::is_same_v<T, core::ViewEvent> ||
                      std::is_same_v<T, core::FreezeMark>) {
          return std::nullopt;
        } else {
          return PeerFrame(std::move(m));
        }
      },
      message);
}

// The ShardMessage a decoded peer frame carries, with its origin set to the link's peer; nothing
// for the link's own frames (PEER_HELLO, HEARTBEAT, HEARTBEAT_ACK).
inline std::optional<core::ShardMessage> to_shard_message(PeerFrame&& frame,
                                                          cluster::NodeIndex origin) {
  return std::visit(
      [origin](auto& f) -> std::optional<core::ShardMessage> {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, core::RouteMessage> ||
                      std::is_same_v<T, core::SendOutcome> ||
                      std::is_same_v<T, core::PresenceRequest>) {
          f.origin = origin;
          return core::ShardMessage(std::move(f));
        } else if constexpr (std::is_same_v<T, core::PresenceNotice>) {
          return core::ShardMessage(std::move(f));
        } else {
          return std::nullopt;
        }
      },
      frame);
}

}  // namespace iris::peer
