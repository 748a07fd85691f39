#pragma once
// Faults as values: a scenario schedules them, a caller (the console) injects them while a run goes
// on. RecoverAll undoes every active one (restarts dead nodes, heals the network, fixes disks,
// makes slow readers read again).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace iris::sim {

struct KillNode {  // kill -9: no drain; writes the disk had not completed are lost
  std::uint32_t node = 0;
};
struct RestartNode {  // start a killed node again, on the disk it left
  std::uint32_t node = 0;
};
struct DrainNode {  // graceful restart (SIGTERM): drain, BYE every client, stop, start after down_us
  std::uint32_t node = 0;
  std::uint64_t down_us = 1'000'000;
};
struct Partition {  // cut every link between side_a and side_b (only a -> b when one_way)
  std::vector<std::uint32_t> side_a, side_b;
  bool one_way = false;
};
struct Heal {};    // remove every partition
struct ClogNode {  // every frame to or from the node takes extra_us longer (0: unclog)
  std::uint32_t node = 0;
  std::uint64_t extra_us = 0;
};
struct SlowDisk {  // per-request disk latency (0: back to normal)
  std::uint32_t node = 0;
  std::uint64_t latency_us = 0;
};
struct StallDisk {  // nothing completes on the disk for duration_us
  std::uint32_t node = 0;
  std::uint64_t duration_us = 0;
};
struct DiskFull {  // appends fail with DISK_FULL (false: space again)
  std::uint32_t node = 0;
  bool full = true;
};
struct DiskErrors {  // every write fails with an I/O error (false: healthy)
  std::uint32_t node = 0;
  bool on = true;
};
struct SlowConsumer {  // the user's client stops reading its socket (false: reads again)
  std::string user;
  bool stalled = true;
};
struct CpuBurn {  // the node is busy: every frame it receives and every timer waits delay_us more
  std::uint32_t node = 0;
  std::uint64_t delay_us = 0;  // 0: idle again
};
struct MemoryPressure {  // each shard of the node may hold only this many message bytes (0: normal)
  std::uint32_t node = 0;
  std::uint64_t shard_bytes = 0;
};
struct LossyLinks {  // each peer frame resets its link with this probability (0: reliable)
  double probability = 0;
};
// One peer link made worse, in one direction (from -> to) or both: every frame takes extra_us
// longer, and each is lost with probability `loss` — TCP then resends it after a retransmission
// timeout (200 ms, doubling while losses repeat), so a loss shows as delay with the link's order
// kept, unlike LossyLinks' resets. extra_us 0 and loss 0: the link is healthy again.
struct DegradeLink {
  std::uint32_t from = 0, to = 0;
  std::uint64_t extra_us = 0;
  double loss = 0;
  bool one_way = false;
};
struct RecoverAll {};
// Operations rather than faults, scheduled and injected the same way; RecoverAll does not undo
// them. JoinNode: a new node (the next index) starts with an empty disk and joins through a live
// member; users move to it once every member sees it. LeaveNode: an operator asks the node to
// leave; its users move away, then it stops for good.
struct JoinNode {};
struct LeaveNode {
  std::uint32_t node = 0;
};

using Fault =
    std::variant<KillNode, RestartNode, DrainNode, Partition, Heal, ClogNode, SlowDisk, StallDisk, DiskFull,
                 DiskErrors, SlowConsumer, CpuBurn, MemoryPressure, LossyLinks, DegradeLink, RecoverAll,
                 JoinNode, LeaveNode>;

std::string describe(const Fault& fault);
// The fault that undoes `fault` on its own target (RestartNode for KillNode, Heal for a
// Partition — every partition —, the healthy setting for the rest); empty for faults that end by
// themselves (StallDisk) or undo others (Heal, RestartNode, RecoverAll).
std::optional<Fault> undo_of(const Fault& fault);

}  // namespace iris::sim
