// What bfload prints: chains as source-like text with their counters (as
// bfcli does) or as JSON, and decoded log events.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "bfc/Load/Session.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::load {

/// The chain's hook with the options it is attached with, as the source
/// writes it: "BF_HOOK_XDP{ifindex=2}" (no braces when not attached).
std::string formatHook(const ChainState &state);

/// chain NAME HOOK{OPTIONS} POLICY
///     counters policy N packets M bytes; error N packets M bytes
///     set NAME (KEY) in { ELEMENTS }
///     rule ...
///         counters N packets M bytes
void printChain(std::ostream &out, const ChainState &state, bool setContent);
nlohmann::json chainToJson(const ChainState &state, bool setContent);

/// Converts bpf_ktime_get_ns() timestamps (CLOCK_MONOTONIC) to wall-clock
/// time.
class TimeBase {
public:
  TimeBase();
  /// Nanoseconds since the Unix epoch.
  uint64_t toRealtimeNs(uint64_t monotonicNs) const;

private:
  int64_t offsetNs_;
};

/// Decodes one ring buffer record. Throws LoadError when `size` is too small
/// for an event.
bfc_log_event decodeLogEvent(const void *data, size_t size);

/// "[12:00:01.123456] rule 0 DROP: <rule text>" then one line per header.
std::string formatLogEvent(const ChainRecord &record,
                           const bfc_log_event &event, const TimeBase &time);
/// `value` as JSON text, always valid UTF-8: any string that is not (a
/// process name, say) has its bad bytes replaced rather than throwing.
std::string jsonText(const nlohmann::json &value, int indent = -1);

nlohmann::json logEventToJson(const ChainRecord &record,
                              const bfc_log_event &event, const TimeBase &time);

} // namespace bfc::load
