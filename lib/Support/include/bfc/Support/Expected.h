// The one error type for recoverable errors: a value or the reason there is
// none. User input errors end as diagnostics: the producer says where in its
// input the fault is, the tool (which knows the buffer) prints it. Exceptions
// are left for the libbpf boundary (lib/Load, lib/Object).
//
// std::expected is C++23; this is the small part of it the project needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "bfc/Support/Diagnostics.h"

namespace bfc {

enum class ErrorKind : uint8_t {
  Invalid,     ///< the input is wrong
  Unsupported, ///< the input is valid, but bfc cannot model it exactly
};

/// Why an operation failed. A reader of a text it was handed (a payload, a
/// packet spec, a BFIR dump) marks the culprit by byte offsets into that
/// text; a reader of located tokens marks a source range.
struct Error {
  std::string message;
  uint32_t offset = 0;    ///< byte offset of the culprit in the text read
  uint32_t length = 0;    ///< its length; 0: the whole text or just `offset`
  SourceRange range = {}; ///< in a source buffer, when the producer knows it
  ErrorKind kind = ErrorKind::Invalid;
  /// Which of the operation's inputs `range` points into, when it has
  /// several (bfc diff: 0 the old ruleset, 1 the new one).
  uint32_t input = 0;
};

/// A value or the Error saying why there is none.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &value() & { return std::get<0>(state_); }
  const T &value() const & { return std::get<0>(state_); }
  T &&value() && { return std::get<0>(std::move(state_)); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const Error &error() const & { return std::get<1>(state_); }
  Error &&error() && { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, Error> state_;
};

/// Success, or the Error saying why not.
template <> class [[nodiscard]] Expected<void> {
public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }

  const Error &error() const & { return *error_; }
  Error &&error() && { return std::move(*error_); }

private:
  std::optional<Error> error_;
};

} // namespace bfc
