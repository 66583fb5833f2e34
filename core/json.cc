#include "core/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace cratedig::json {

namespace {

const Value& NullValue() {
  static const Value kNull;
  return kNull;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void DumpString(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void DumpTo(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      out += "null";
      break;
    case Value::Type::kBool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Value::Type::kNumber: {
      double d = v.as_number();
      if (!std::isfinite(d)) {
        out += "null";
      } else if (d == std::floor(d) && std::fabs(d) < 9.0e15) {
        out += std::to_string(static_cast<int64_t>(d));
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", d);
        out += buf;
      }
      break;
    }
    case Value::Type::kString:
      DumpString(out, v.as_string());
      break;
    case Value::Type::kArray: {
      out += '[';
      bool first = true;
      for (const Value& e : v.items()) {
        if (!first) out += ',';
        first = false;
        DumpTo(out, e);
      }
      out += ']';
      break;
    }
    case Value::Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.members()) {
        if (!first) out += ',';
        first = false;
        DumpString(out, k);
        out += ':';
        DumpTo(out, e);
      }
      out += '}';
      break;
    }
  }
}

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  Result<Value> Document() {
    Value v;
    CRATEDIG_RETURN_IF_ERROR(ParseValue(v, 0));
    SkipWs();
    if (i_ != t_.size()) return Error("trailing characters");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 256;

  Status Error(const std::string& what) const {
    return Status::Corrupt("JSON: " + what + " at offset " +
                           std::to_string(i_));
  }
  void SkipWs() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' ||
                              t_[i_] == '\r' || t_[i_] == '\t')) {
      ++i_;
    }
  }
  bool Literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Status ParseValue(Value& out, int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    SkipWs();
    if (i_ >= t_.size()) return Error("unexpected end");
    char c = t_[i_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      std::string s;
      CRATEDIG_RETURN_IF_ERROR(ParseString(s));
      out = Value(std::move(s));
      return Status::Ok();
    }
    if (Literal("true")) {
      out = Value(true);
      return Status::Ok();
    }
    if (Literal("false")) {
      out = Value(false);
      return Status::Ok();
    }
    if (Literal("null")) {
      out = Value();
      return Status::Ok();
    }
    return ParseNumber(out);
  }

  Status ParseNumber(Value& out) {
    size_t start = i_;
    if (i_ < t_.size() && t_[i_] == '-') ++i_;
    size_t digits = i_;
    while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_])))
      ++i_;
    if (i_ == digits) return Error("expected a value");
    if (t_[digits] == '0' && i_ - digits > 1) return Error("leading zero");
    if (i_ < t_.size() && t_[i_] == '.') {
      ++i_;
      size_t f = i_;
      while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_])))
        ++i_;
      if (i_ == f) return Error("expected digits after '.'");
    }
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      ++i_;
      if (i_ < t_.size() && (t_[i_] == '+' || t_[i_] == '-')) ++i_;
      size_t e = i_;
      while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_])))
        ++i_;
      if (i_ == e) return Error("expected exponent digits");
    }
    std::string num(t_.substr(start, i_ - start));
    out = Value(std::strtod(num.c_str(), nullptr));
    return Status::Ok();
  }

  Status Hex4(uint32_t& cp) {
    if (i_ + 4 > t_.size()) return Error("short \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char h = t_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') {
        cp |= h - '0';
      } else if (h >= 'a' && h <= 'f') {
        cp |= h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        cp |= h - 'A' + 10;
      } else {
        return Error("bad \\u escape");
      }
    }
    return Status::Ok();
  }

  Status ParseString(std::string& out) {
    ++i_;  // opening quote
    for (;;) {
      if (i_ >= t_.size()) return Error("unterminated string");
      unsigned char c = t_[i_++];
      if (c == '"') return Status::Ok();
      if (c < 0x20) return Error("control character in string");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (i_ >= t_.size()) return Error("unterminated escape");
      char e = t_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          CRATEDIG_RETURN_IF_ERROR(Hex4(cp));
          if (cp >= 0xD800 && cp < 0xDC00 && t_.substr(i_, 2) == "\\u") {
            i_ += 2;
            uint32_t lo = 0;
            CRATEDIG_RETURN_IF_ERROR(Hex4(lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return Error("bad surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
  }

  Status ParseArray(Value& out, int depth) {
    ++i_;
    out = Value::Array();
    SkipWs();
    if (i_ < t_.size() && t_[i_] == ']') {
      ++i_;
      return Status::Ok();
    }
    for (;;) {
      Value e;
      CRATEDIG_RETURN_IF_ERROR(ParseValue(e, depth + 1));
      out.push_back(std::move(e));
      SkipWs();
      if (i_ >= t_.size()) return Error("unterminated array");
      if (t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (t_[i_] == ']') {
        ++i_;
        return Status::Ok();
      }
      return Error("expected ',' or ']'");
    }
  }

  Status ParseObject(Value& out, int depth) {
    ++i_;
    out = Value::Object();
    SkipWs();
    if (i_ < t_.size() && t_[i_] == '}') {
      ++i_;
      return Status::Ok();
    }
    for (;;) {
      SkipWs();
      if (i_ >= t_.size() || t_[i_] != '"') return Error("expected a key");
      std::string key;
      CRATEDIG_RETURN_IF_ERROR(ParseString(key));
      SkipWs();
      if (i_ >= t_.size() || t_[i_] != ':') return Error("expected ':'");
      ++i_;
      Value e;
      CRATEDIG_RETURN_IF_ERROR(ParseValue(e, depth + 1));
      out.set(key, std::move(e));
      SkipWs();
      if (i_ >= t_.size()) return Error("unterminated object");
      if (t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (t_[i_] == '}') {
        ++i_;
        return Status::Ok();
      }
      return Error("expected ',' or '}'");
    }
  }

  std::string_view t_;
  size_t i_ = 0;
};

}  // namespace

Value Value::Object(std::initializer_list<Member> members) {
  Value v = Object();
  for (const Member& m : members) v.set(m.first, m.second);
  return v;
}

const std::string& Value::as_string() const {
  static const std::string kEmpty;
  return is_string() ? str_ : kEmpty;
}

Value& Value::push_back(Value v) {
  if (type_ != Type::kArray) {
    *this = Array();
  }
  arr_.push_back(std::move(v));
  return arr_.back();
}

size_t Value::size() const {
  if (is_array()) return arr_.size();
  if (is_object()) return obj_.size();
  return 0;
}

const Value& Value::operator[](size_t i) const {
  return is_array() && i < arr_.size() ? arr_[i] : NullValue();
}

Value& Value::set(const std::string& key, Value v) {
  if (type_ != Type::kObject) {
    *this = Object();
  }
  for (Member& m : obj_) {
    if (m.first == key) {
      m.second = std::move(v);
      return m.second;
    }
  }
  obj_.emplace_back(key, std::move(v));
  return obj_.back().second;
}

const Value& Value::operator[](std::string_view key) const {
  if (!is_object()) return NullValue();
  for (const Member& m : obj_) {
    if (m.first == key) return m.second;
  }
  return NullValue();
}

bool Value::has(std::string_view key) const {
  if (!is_object()) return false;
  for (const Member& m : obj_) {
    if (m.first == key) return true;
  }
  return false;
}

std::string Dump(const Value& v) {
  std::string out;
  DumpTo(out, v);
  return out;
}

Result<Value> Parse(std::string_view text) { return Parser(text).Document(); }

Result<std::string> SetMember(std::string_view object, const std::string& key,
                              Value value) {
  Value o = Value::Object();
  if (object.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    Result<Value> parsed = Parse(object);
    if (!parsed.ok() || !parsed->is_object()) {
      return Status::Corrupt("not a JSON object: " +
                             std::string(object.substr(0, 80)));
    }
    o = std::move(*parsed);
  }
  o.set(key, std::move(value));
  return Dump(o);
}

}  // namespace cratedig::json
