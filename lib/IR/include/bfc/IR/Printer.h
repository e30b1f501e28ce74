// BFIR textual form (bfc --emit=bfir).
//
// Line oriented, two-space indentation per level, one construct per line:
//
//   bfir module "ruleset.bf"
//   host_slot 0 iface "eth0"
//
//   chain my_chain BF_HOOK_XDP {ifindex=2} policy ACCEPT
//     set 0 blocked (ip4.saddr, ip4.proto) exact
//       192.168.1.1, tcp
//     rule 0 @3:5 "rule ip4.saddr eq 10.0.0.1 counter DROP"
//       ip4.saddr [ip4+12:4] eq 10.0.0.1
//       tcp.flags [tcp+13:1] not any syn|ack
//       (ip4.saddr, ip4.proto) in set 0 blocked
//       counter
//       verdict DROP
//
// The Reader (Reader.h) parses it back; docs/architecture.md has the grammar.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "bfc/IR/BFIR.h"

namespace bfc::ir {

/// Prints `module` in BFIR's stable textual form.
void printModule(const Module &module, std::ostream &os);
std::string toString(const Module &module);

/// A field value in its natural syntax: addresses as addresses (with
/// `/prefixLen` when given), ports and codes in decimal, protocols, DSCP
/// classes and ICMP types by name when they have one, TCP flags as
/// `syn|ack`, marks and hashes in hex. A value of the wrong width prints as
/// `bytes:<hex>`.
std::string formatFieldValue(FieldId field, const Bytes &value,
                             std::optional<uint8_t> prefixLen = std::nullopt);

/// Where a field is loaded from: `[ip4+12:4]`, `[ip4+1:1&0xfc>>2]`, `[meta]`.
std::string formatFieldLocation(FieldId field);

/// One predicate on one line, without indentation (needs the module and
/// chain for host slot and set names).
std::string formatPredicate(const Predicate &pred, const Chain &chain,
                            const Module &module);

/// A set element in its natural syntax: `192.168.1.1, tcp` or `10.0.0.0/8`.
std::string formatSetElement(const Set &set, const SetElement &element);

/// A string between double quotes, with `"`, `\` and control characters
/// escaped (`\n`, `\t`, `\xNN`).
std::string quoteString(std::string_view text);

} // namespace bfc::ir
