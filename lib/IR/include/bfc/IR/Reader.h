// Reads BFIR's textual form (Printer.h) back into a Module.
#pragma once

#include <optional>
#include <string_view>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::ir {

/// Parses `buffer` (the output of printModule). Every problem is reported
/// to `diags` with its location in the buffer; returns nullopt when any
/// error was reported. The result also passes ir::verifyModule. Source
/// ranges come back with the line and column the text records (no byte
/// offsets); predicate source texts are not part of the textual form.
std::optional<Module> readModule(const SourceBuffer &buffer,
                                 DiagnosticEngine &diags);

/// A value of `field` in the printer's syntax (formatFieldValue without a
/// prefix); nullopt when it does not parse or does not fit.
std::optional<Bytes> parseFieldValue(FieldId field, std::string_view text);

/// The number `text` gives for a non-address `field`: a name from the
/// field's table (EtherTypes, IP protocols, DSCP classes, ICMP and ICMPv6
/// types, TCP flags joined by '|') or a number up to `max`. nullopt when it
/// does not parse, is larger than `max`, or `field` holds an address.
std::optional<uint64_t> parseFieldNumber(FieldId field, std::string_view text,
                                         uint64_t max);

} // namespace bfc::ir
