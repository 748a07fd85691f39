#pragma once
// A node's cluster record on disk (DATA_DIR/cluster-view.json): the committed view, the one
// before it, a proposal it voted for and has no decision on, and how far it has handed over
// (engine/cluster/reconfig.h). Written whole, atomically (a temporary file, fsync, rename, fsync
// of the directory), before the node acts on what it says: a crash leaves the old record or the
// new one, never a mix. Once it exists it wins over --seeds and --join: the cluster may have
// changed since the node was first started.

#include <optional>
#include <string>

#include "engine/cluster/reconfig.h"
#include "engine/common/status.h"

namespace iris::cluster {

// nullopt when the file does not exist; an error for a file that cannot be read or parsed, or
// whose view does not name `self_id` (another node's data directory).
Result<std::optional<ViewRecord>> load_view_record(const std::string& path,
                                                   const std::string& self_id);
Status save_view_record(const std::string& path, const ViewRecord& record);

// The record as JSON text, and back (for the file, and for tests).
std::string view_record_json(const ViewRecord& record);
Result<ViewRecord> parse_view_record(const std::string& text, const std::string& self_id);

}  // namespace iris::cluster
