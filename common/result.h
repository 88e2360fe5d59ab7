// common/result.h — the one error-carrying return type used across module boundaries.
//
// A function that can fail for reasons outside the program (bad input, network, disk) returns
// Result<T>. The caller must look at it: ok() tells, value() gives the value, error() the reason.
// "Not modified" and "nothing new" are ordinary values, never errors.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace rasid {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error e) : v_(std::move(e)) {}
  // A default value built in place, for a function that fills it and returns this Result
  // (returned by name, it is neither moved nor copied: parse/feed.cpp's Feed).
  explicit Result(std::in_place_t) : v_(std::in_place_index<0>) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const {
    assert(!ok());
    return std::get<1>(v_).message;
  }

 private:
  std::variant<T, Error> v_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace rasid
