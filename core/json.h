// A small JSON value, the project's one JSON implementation: the
// recommender's API answers, the model runs' metrics column (one object
// that the trainer and the recommender each add their member to), the
// sample store's catalogue dump, and the WebDriver protocol of the page test.
//
// Debian 12 ships no JSON library among cratedig's dependencies, so this is
// deliberately minimal: numbers are doubles, objects keep insertion order
// (answers read the way they were written), and Parse() rejects anything
// that is not strict RFC 8259 JSON.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cratedig::json {

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, Value>;

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  Value(int v) : type_(Type::kNumber), num_(v) {}
  Value(int64_t v) : type_(Type::kNumber), num_(static_cast<double>(v)) {}
  Value(size_t v) : type_(Type::kNumber), num_(static_cast<double>(v)) {}
  Value(double v) : type_(Type::kNumber), num_(v) {}
  Value(float v) : type_(Type::kNumber), num_(v) {}
  Value(const char* s) : type_(Type::kString), str_(s) {}
  Value(std::string s) : type_(Type::kString), str_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::kString), str_(s) {}

  static Value Array() {
    Value v;
    v.type_ = Type::kArray;
    return v;
  }
  static Value Object() {
    Value v;
    v.type_ = Type::kObject;
    return v;
  }
  static Value Object(std::initializer_list<Member> members);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Typed reads; a wrong type gives the fallback (callers check types first
  // when the difference matters).
  bool as_bool(bool fallback = false) const {
    return is_bool() ? bool_ : fallback;
  }
  double as_number(double fallback = 0) const {
    return is_number() ? num_ : fallback;
  }
  int64_t as_int(int64_t fallback = 0) const {
    return is_number() ? static_cast<int64_t>(num_) : fallback;
  }
  const std::string& as_string() const;

  // Arrays.
  Value& push_back(Value v);
  size_t size() const;  // elements or members; 0 for scalars
  const Value& operator[](size_t i) const;
  const std::vector<Value>& items() const { return arr_; }

  // Objects. set() replaces an existing key in place.
  Value& set(const std::string& key, Value v);
  // A member, or a shared null when absent (or when not an object).
  const Value& operator[](std::string_view key) const;
  bool has(std::string_view key) const;
  const std::vector<Member>& members() const { return obj_; }

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double num_ = 0;
  std::string str_;
  std::vector<Value> arr_;
  std::vector<Member> obj_;
};

// Compact serialisation. Non-finite numbers become null; integral values
// print without a fraction; strings are escaped (control characters as
// \u00XX, '<' too so a value can be embedded in a page safely).
std::string Dump(const Value& v);

// Strict parse of a whole document (surrounding whitespace allowed).
Result<Value> Parse(std::string_view text);

// Returns `object` (JSON object text; empty means {}) with top-level member
// `key` set to `value`, replacing a member of that name in place and
// keeping the others in order: how each stage adds its part to a model
// run's metrics without touching the others'. Corrupt when `object` is not
// a JSON object.
Result<std::string> SetMember(std::string_view object, const std::string& key,
                              Value value);

}  // namespace cratedig::json
