// Set elements as text, in the language's syntax (`192.168.1.1, tcp`,
// `10.0.0.0/8`, `2001:db8::1`, `443`), parsed and printed using a set's key
// layout: each component's field gives its width and how to read it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Object/Metadata.h"

namespace bfc::object {

/// Parses one value of `field` (address, port, protocol name, DSCP class,
/// ICMP type name, number...) into its `width` bytes, network byte order.
/// Throws ObjectError with a message naming the field and the text.
std::vector<uint8_t> parseFieldValue(ir::FieldId field, std::string_view text);

/// The text of one value of `field` (protocol and type names when they
/// exist, numbers otherwise).
std::string formatFieldValue(ir::FieldId field, const uint8_t *value);

/// Parses an element of `set`: components separated by ','; an LPM set's
/// single address component carries `/prefix` (a bare address is a full
/// prefix). Throws ObjectError on a wrong component count or a bad value.
SetElement parseSetElement(const SetInfo &set, std::string_view text);

/// The text of an element, as parseSetElement reads it.
std::string formatSetElement(const SetInfo &set, const SetElement &element);

/// The set's key as written in the source: "(ip4.saddr, ip4.proto)".
std::string formatSetKey(const SetInfo &set);

} // namespace bfc::object
