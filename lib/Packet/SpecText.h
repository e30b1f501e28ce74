// The text of a packet spec (docs/packets.md): its layers and their
// `key=value` arguments (parseSpecText), and the typed reading of one
// layer's arguments (Fields). Internal to lib/Packet. Errors are values:
// the first one found is the one reported.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/IR/Names.h"
#include "bfc/Packet/Packet.h"

namespace bfc::packet::detail {

struct Arg {
  std::string key;
  std::string value;
  size_t keyOffset = 0;
  size_t valueOffset = 0;
};

struct LayerSpec {
  std::string name;
  size_t offset = 0;
  std::vector<Arg> args;
  bool shorthand = false; ///< `name=value` form (truncate=N)
};

inline Error specError(size_t offset, std::string message) {
  return Error{std::move(message), static_cast<uint32_t>(offset)};
}

/// A number already bounded by its parser, in its field's type.
template <typename T> std::optional<T> narrowed(std::optional<uint64_t> value) {
  return value ? std::optional<T>(static_cast<T>(*value)) : std::nullopt;
}

/// The layers of `spec`, `/`-separated, each `name`, `name(k=v, ...)` or
/// `name=v`.
Expected<std::vector<LayerSpec>> parseSpecText(std::string_view spec);

// --------------------------------------------------------- field values ----

/// Reads the fields of one layer, checking names and values. The first bad
/// field latches its Error: later reads return their fallbacks (or nullopt)
/// without looking, and result() hands the Error back. The layer's own
/// checks report through fail(), so the first error wins there too.
class Fields {
public:
  Fields(const LayerSpec &layer, std::vector<std::string_view> known)
      : layer_(layer), known_(std::move(known)) {
    if (layer.shorthand)
      fail(layer.offset, fmt::format("'{}=' is only valid for truncate; "
                                     "write {}(field=value)",
                                     layer.name, layer.name));
    for (const Arg &arg : layer.args)
      if (std::find(known_.begin(), known_.end(), arg.key) == known_.end())
        fail(
            arg.keyOffset,
            known_.empty()
                ? fmt::format("{} takes no fields", layer.name)
                : fmt::format("unknown field '{}' for {} (expected one of: {})",
                              arg.key, layer.name, fmt::join(known_, ", ")));
  }

  /// Records an error unless one is recorded already; returns the first.
  Error fail(size_t offset, std::string message) {
    if (!error_)
      error_ = specError(offset, std::move(message));
    return *error_;
  }
  bool failed() const { return error_.has_value(); }

  /// `value`, or the first error recorded.
  template <typename T> Expected<T> result(T value) const {
    if (error_)
      return *error_;
    return value;
  }

  const Arg *find(std::string_view key) const {
    for (const Arg &arg : layer_.args)
      if (arg.key == key)
        return &arg;
    return nullptr;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }

  std::optional<uint64_t> number(std::string_view key, uint64_t max) {
    const Arg *arg = readable(key);
    if (!arg)
      return std::nullopt;
    return latch(parseNumber(*arg, max));
  }

  template <typename T> T value(std::string_view key, T fallback) {
    auto value =
        number(key, static_cast<uint64_t>(std::numeric_limits<T>::max()));
    return value ? static_cast<T>(*value) : fallback;
  }

  static Expected<uint64_t> parseNumber(const Arg &arg, uint64_t max) {
    std::string_view text = arg.value;
    int base = 10;
    if (text.size() > 2 && text[0] == '0' &&
        (text[1] == 'x' || text[1] == 'X')) {
      text.remove_prefix(2);
      base = 16;
    }
    uint64_t value = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && end == text.data() + text.size() && value > max))
      return specError(arg.valueOffset,
                       fmt::format("{}={} is out of range (at most {})",
                                   arg.key, arg.value, max));
    if (ec != std::errc() || end != text.data() + text.size())
      return specError(arg.valueOffset, fmt::format("{}= expects a number, "
                                                    "not '{}'",
                                                    arg.key, arg.value));
    return value;
  }

  /// A number or a name from `lookup`.
  template <typename Lookup>
  std::optional<uint64_t> named(std::string_view key, uint64_t max,
                                Lookup lookup, std::string_view what) {
    const Arg *arg = readable(key);
    if (!arg)
      return std::nullopt;
    if (auto value = lookup(arg->value))
      return *value;
    if (!arg->value.empty() &&
        std::isdigit(static_cast<unsigned char>(arg->value[0])))
      return latch(parseNumber(*arg, max));
    fail(arg->valueOffset, fmt::format("{}= expects {} or a number, not '{}'",
                                       key, what, arg->value));
    return std::nullopt;
  }

  std::optional<uint8_t> proto(std::string_view key) {
    return narrowed<uint8_t>(
        named(key, 255, ir::ipProtoFromName, "a protocol name"));
  }

  std::optional<uint8_t> dscp(std::string_view key) {
    return narrowed<uint8_t>(
        named(key, 63, ir::dscpFromName, "a DSCP class (ef, af11, cs1...)"));
  }

  /// An address parsed by `parse`; `what` says what is expected.
  template <typename Addr>
  Addr address(std::string_view key, const Addr &fallback,
               std::optional<Addr> (*parse)(std::string_view),
               std::string_view what) {
    const Arg *arg = readable(key);
    if (!arg)
      return fallback;
    auto addr = parse(arg->value);
    if (!addr) {
      fail(arg->valueOffset,
           fmt::format("{}= expects {}, not '{}'", key, what, arg->value));
      return fallback;
    }
    return *addr;
  }

  ir::Ip4Addr ip4(std::string_view key, const ir::Ip4Addr &fallback) {
    return address(key, fallback, ir::parseIp4, "an IPv4 address");
  }

  ir::Ip6Addr ip6(std::string_view key, const ir::Ip6Addr &fallback) {
    return address(key, fallback, ir::parseIp6, "an IPv6 address");
  }

  ir::MacAddr mac(std::string_view key, const ir::MacAddr &fallback) {
    return address(key, fallback, ir::parseMac,
                   "a MAC address (aa:bb:cc:dd:ee:ff)");
  }

  /// `a|b|c` names from `lookup` (each a bit mask), or a number.
  template <typename Lookup>
  std::optional<uint64_t> flags(std::string_view key, uint64_t max,
                                Lookup lookup, std::string_view what) {
    const Arg *arg = readable(key);
    if (!arg)
      return std::nullopt;
    if (!arg->value.empty() &&
        std::isdigit(static_cast<unsigned char>(arg->value[0])))
      return latch(parseNumber(*arg, max));
    uint64_t value = 0;
    std::string_view rest = arg->value;
    size_t offset = arg->valueOffset;
    while (true) {
      size_t bar = rest.find('|');
      std::string_view name = rest.substr(0, bar);
      auto bit = lookup(name);
      if (!bit) {
        fail(offset, fmt::format("unknown {} '{}' in {}=", what, name, key));
        return std::nullopt;
      }
      value |= *bit;
      if (bar == std::string_view::npos)
        break;
      rest.remove_prefix(bar + 1);
      offset += bar + 1;
    }
    return value;
  }

  std::optional<Bytes> hex(std::string_view key) {
    const Arg *arg = readable(key);
    if (!arg)
      return std::nullopt;
    std::string_view text = arg->value;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
      text.remove_prefix(2);
    if (text.size() % 2 != 0) {
      fail(arg->valueOffset,
           fmt::format("{}= expects an even number of hex digits", key));
      return std::nullopt;
    }
    Bytes bytes;
    for (size_t i = 0; i < text.size(); i += 2) {
      unsigned value = 0;
      auto [end, ec] =
          std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
      if (ec != std::errc() || end != text.data() + i + 2) {
        fail(arg->valueOffset + i,
             fmt::format("{}= expects hex digits, not '{}'", key,
                         text.substr(i, 2)));
        return std::nullopt;
      }
      bytes.push_back(static_cast<uint8_t>(value));
    }
    return bytes;
  }

private:
  /// The argument `key` when it is given and no error is latched.
  const Arg *readable(std::string_view key) const {
    return error_ ? nullptr : find(key);
  }

  std::optional<uint64_t> latch(Expected<uint64_t> value) {
    if (value)
      return *value;
    if (!error_)
      error_ = std::move(value).error();
    return std::nullopt;
  }

  const LayerSpec &layer_;
  std::vector<std::string_view> known_;
  std::optional<Error> error_;
};

} // namespace bfc::packet::detail
