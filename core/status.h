// Status and Result<T>: how every cratedig library reports failure.
//
// Library code never prints and never exits; it returns a Status (or a
// Result<T>) that the caller must look at ([[nodiscard]]). The CLI turns a
// non-ok Status into a message on stderr and a non-zero exit code.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cratedig {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from a user or a config file
  kNotFound,         // a file, row or URL that does not exist
  kIoError,          // disk, socket or database failure
  kCorrupt,          // data that does not parse or decode
  kUnavailable,      // a server refused or timed out (may be retried)
  kForbidden,        // robots.txt, host allow-list or scheme policy
  kCancelled,        // the user asked us to stop (SIGINT)
  kInternal,         // a broken invariant: a bug in cratedig
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) {
    return {StatusCode::kNotFound, std::move(m)};
  }
  static Status IoError(std::string m) {
    return {StatusCode::kIoError, std::move(m)};
  }
  static Status Corrupt(std::string m) {
    return {StatusCode::kCorrupt, std::move(m)};
  }
  static Status Unavailable(std::string m) {
    return {StatusCode::kUnavailable, std::move(m)};
  }
  static Status Forbidden(std::string m) {
    return {StatusCode::kForbidden, std::move(m)};
  }
  static Status Cancelled(std::string m) {
    return {StatusCode::kCancelled, std::move(m)};
  }
  static Status Internal(std::string m) {
    return {StatusCode::kInternal, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "IoError: cannot open x.db: permission denied"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status. REQUIRES: value() only when ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cratedig

// Propagates a non-ok Status from an expression returning Status.
#define CRATEDIG_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::cratedig::Status _st = (expr);   \
    if (!_st.ok()) return _st;         \
  } while (0)

#define CRATEDIG_CONCAT_INNER(a, b) a##b
#define CRATEDIG_CONCAT(a, b) CRATEDIG_CONCAT_INNER(a, b)
// Assigns the value of a Result<T> expression to `lhs`, or returns its Status.
#define CRATEDIG_ASSIGN_OR_RETURN(lhs, expr)          \
  auto CRATEDIG_CONCAT(_res_, __LINE__) = (expr);     \
  if (!CRATEDIG_CONCAT(_res_, __LINE__).ok())         \
    return CRATEDIG_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(CRATEDIG_CONCAT(_res_, __LINE__)).value()
