// daemon/instance.h — who this `rasid run` is among the instances sharing one database (issue
// 15): the owner of its source leases (storage/store.h Store::lease_source) and the row it
// reports itself in (Store::heartbeat, /api/instances).
//
// The id is "host:pid:random" (8 hex digits from the system's random source): stable for the
// life of the process, never reused by a later process on the same host even with the same PID.
// An instance reports every kHeartbeatEvery; one whose last report is older than kLiveFor is not
// listed as live (a SIGKILLed instance drops out within a minute).
#pragma once

#include <chrono>
#include <string>

namespace rasid::daemon {

inline constexpr std::chrono::seconds kHeartbeatEvery{10};
inline constexpr std::chrono::seconds kLiveFor{60};

// This machine's host name ("unknown" when it has none).
std::string host_name();
// A new instance id; call once per process.
std::string make_instance_id();

}  // namespace rasid::daemon
