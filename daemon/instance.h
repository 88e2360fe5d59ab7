// daemon/instance.h — who this `rasid run` is among the instances sharing one database (issue
// 15): the owner of its source leases (storage/store.h Store::lease_source).
//
// The id is "host:pid:random" (8 hex digits from the system's random source): stable for the
// life of the process, never reused by a later process on the same host even with the same PID.
#pragma once

#include <string>

namespace rasid::daemon {

// A new instance id; call once per process.
std::string make_instance_id();

}  // namespace rasid::daemon
