#include "config/toml_reader.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "config/config_path.h"
#include "core/strings.h"

namespace cratedig::config {

namespace {
const char* TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}
}  // namespace

TomlReader::TomlReader(const toml::table& table, std::string source,
                       std::string prefix)
    : table_(table), source_(std::move(source)), prefix_(std::move(prefix)) {}

void TomlReader::SetOverrides(std::map<std::string, std::string> overrides) {
  overrides_ = std::make_shared<const std::map<std::string, std::string>>(
      std::move(overrides));
}

std::string TomlReader::SourceOf(const std::string& full_key) const {
  if (overrides_) {
    auto it = overrides_->find(full_key);
    if (it != overrides_->end()) return "--set '" + it->second + "'";
  }
  return source_;
}

std::string TomlReader::Path(std::string_view key) const {
  return prefix_ + std::string(key);
}

const toml::node* TomlReader::Lookup(std::string_view key) {
  seen_.insert(std::string(key));
  return table_.get(key);
}

void TomlReader::TypeError(std::string_view key, const char* expected,
                           const toml::node& got) {
  errors_.push_back(SourceOf(Path(key)) + ": key '" + Path(key) +
                    "': expected " + expected + ", got " + TypeName(got));
}

void TomlReader::Fail(std::string_view key, const std::string& expected) {
  errors_.push_back(SourceOf(Path(key)) + ": key '" + Path(key) +
                    "': " + expected);
}

void TomlReader::Read(std::string_view key, std::string& out) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  if (auto v = n->value<std::string>(); v && n->is_string()) {
    out = *v;
  } else {
    TypeError(key, "a string", *n);
  }
}

void TomlReader::Read(std::string_view key, double& out) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  if (n->is_floating_point() || n->is_integer()) {
    // TOML allows inf and nan; no setting means them, and nan passes every
    // range check in Validate (nan < 0 is false).
    const double v = *n->value<double>();
    if (std::isfinite(v)) {
      out = v;
    } else {
      Fail(key, "expected a finite number");
    }
  } else {
    TypeError(key, "a number", *n);
  }
}

void TomlReader::Read(std::string_view key, int64_t& out) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  if (n->is_integer()) {
    out = *n->value<int64_t>();
  } else {
    TypeError(key, "an integer", *n);
  }
}

void TomlReader::Read(std::string_view key, int& out) {
  int64_t v = out;
  Read(key, v);
  // A value that does not fit would wrap (4294967297 -> 1) and pass Validate.
  if (v < std::numeric_limits<int>::min() ||
      v > std::numeric_limits<int>::max()) {
    Fail(key, "expected an integer in -2147483648..2147483647");
    return;
  }
  out = static_cast<int>(v);
}

void TomlReader::Read(std::string_view key, bool& out) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  if (n->is_boolean()) {
    out = *n->value<bool>();
  } else {
    TypeError(key, "a boolean", *n);
  }
}

void TomlReader::Read(std::string_view key, std::vector<std::string>& out) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  const toml::array* arr = n->as_array();
  if (!arr) return TypeError(key, "an array of strings", *n);
  std::vector<std::string> v;
  for (const toml::node& e : *arr) {
    if (!e.is_string()) return TypeError(key, "an array of strings", e);
    v.push_back(*e.value<std::string>());
  }
  out = std::move(v);
}

void TomlReader::Read(std::string_view key,
                      std::map<std::string, std::string>& out) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) return TypeError(key, "a table of strings", *n);
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : *t) {
    if (!v.is_string()) {
      errors_.push_back(source_ + ": key '" + Path(key) + "." +
                        std::string(k.str()) + "': expected a string, got " +
                        TypeName(v));
      return;
    }
    m[std::string(k.str())] = *v.value<std::string>();
  }
  out = std::move(m);
}

void TomlReader::ReadTable(std::string_view key,
                           const std::function<void(TomlReader&)>& fn) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) return TypeError(key, "a table", *n);
  TomlReader sub(*t, source_, Path(key) + ".");
  sub.overrides_ = overrides_;
  fn(sub);
  Status st = sub.Finish();
  if (!st.ok()) errors_.push_back(st.message());
}

void TomlReader::ReadTableArray(std::string_view key,
                                const std::function<void(TomlReader&)>& fn) {
  const toml::node* n = Lookup(key);
  if (!n) return;
  const toml::array* arr = n->as_array();
  if (!arr) return TypeError(key, "an array of tables", *n);
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = (*arr)[i].as_table();
    if (!t) return TypeError(key, "an array of tables", (*arr)[i]);
    TomlReader sub(*t, source_, Path(key) + "[" + std::to_string(i) + "].");
    sub.overrides_ = overrides_;
    fn(sub);
    Status st = sub.Finish();
    if (!st.ok()) {
      errors_.push_back(st.message());
      return;
    }
  }
}

void TomlReader::CollectUnknown(const toml::table& t,
                                const std::string& prefix) {
  for (const auto& [k, v] : t) {
    std::string key(k.str());
    if (!seen_.count(key)) {
      const std::string full = prefix + key;
      std::string msg = SourceOf(full);
      msg.append(": unknown key '").append(full).append("'");
      errors_.push_back(std::move(msg));
    }
  }
}

Status TomlReader::Finish() {
  CollectUnknown(table_, prefix_);
  if (errors_.empty()) return Status::Ok();
  return Status::InvalidArgument(errors_.front());
}

Result<toml::table> ParseTomlFile(const std::string& given) {
  // The shipped defaults are found from any folder (config_path.h).
  const std::string path = FindConfigFile(given);
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    if (e.source().begin.line == 0) {
      msg << path << ": cannot read: " << e.description();
      return Status::NotFound(msg.str());
    }
    msg << path << ":" << e.source().begin.line << ":"
        << e.source().begin.column << ": " << e.description();
    return Status::InvalidArgument(msg.str());
  }
}

Status ApplyOverrides(toml::table& table,
                      const std::vector<std::string>& overrides,
                      std::map<std::string, std::string>* applied) {
  for (const std::string& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--set '" + o +
                                     "': expected KEY=VALUE, e.g. "
                                     "politeness.delay=0.2");
    }
    // TOML text is UTF-8; a bare-string value with other bytes would be
    // stored and then written as a TOML file that does not parse.
    if (!IsValidUtf8(o)) {
      return Status::InvalidArgument(
          "--set: an argument is not valid UTF-8 (TOML text must be)");
    }
    std::string key = o.substr(0, eq);
    std::string value = o.substr(eq + 1);
    if (applied != nullptr) (*applied)[key] = o;
    toml::table parsed;
    try {
      parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      parsed = toml::table{{"v", value}};  // a bare string
    }
    // Walk/create the tables along the dotted path.
    toml::table* t = &table;
    size_t start = 0;
    for (;;) {
      size_t dot = key.find('.', start);
      std::string part = key.substr(start, dot - start);
      if (part.empty()) {
        return Status::InvalidArgument("--set '" + o + "': empty key part");
      }
      if (dot == std::string::npos) {
        t->insert_or_assign(part, *parsed.get("v"));
        break;
      }
      toml::node* next = t->get(part);
      if (!next) {
        t->insert(part, toml::table{});
        next = t->get(part);
      }
      if (!next->is_table()) {
        return Status::InvalidArgument("--set '" + o + "': '" +
                                       key.substr(0, dot) + "' is not a table");
      }
      t = next->as_table();
      start = dot + 1;
    }
  }
  return Status::Ok();
}

namespace {

// toml++ 3.3's formatter writes a key bare when its only characters outside
// A-Za-z0-9_- are ', tab or newline: {"Drum 'n' Bass"} would be written as
// the line  Drum 'n' Bass = ...  and a key like "Rock'n'Roll" comes out as
// Rock'n'Roll = ..., which no TOML parser reads back (found by
// fuzz/site_profile_fuzz). Other keys it quotes correctly.
bool PrintedBareByMistake(std::string_view key) {
  bool special = false;
  for (char c : key) {
    if (c == '\'' || c == '\t' || c == '\n') {
      special = true;
    } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return special;
}

// `key` as a TOML basic string (its characters are bare-key ones, ', tab
// and newline only).
std::string QuotedKey(std::string_view key) {
  std::string out = "\"";
  for (char c : key) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool HasMistakenKey(const toml::node& n) {
  if (const toml::table* t = n.as_table()) {
    for (const auto& [k, v] : *t) {
      if (PrintedBareByMistake(k.str()) || HasMistakenKey(v)) return true;
    }
  } else if (const toml::array* a = n.as_array()) {
    for (const toml::node& e : *a) {
      if (HasMistakenKey(e)) return true;
    }
  }
  return false;
}

// Renames every mistaken key of `n` to a placeholder the formatter quotes
// ("\x01<n>\x01", written "\u0001<n>\u0001"), recording placeholder text
// -> the key's correct quoted form.
void SwapMistakenKeys(toml::node& n,
                      std::vector<std::pair<std::string, std::string>>& swaps) {
  if (toml::table* t = n.as_table()) {
    std::vector<std::string> bad;
    for (auto& [k, v] : *t) {
      SwapMistakenKeys(v, swaps);
      if (PrintedBareByMistake(k.str())) bad.emplace_back(k.str());
    }
    for (const std::string& k : bad) {
      const std::string id = std::to_string(swaps.size());
      toml::node_view<toml::node> v = (*t)[k];
      t->insert_or_assign("\x01" + id + "\x01", std::move(*v.node()));
      t->erase(k);
      swaps.emplace_back("\"\\u0001" + id + "\\u0001\"", QuotedKey(k));
    }
  } else if (toml::array* a = n.as_array()) {
    for (toml::node& e : *a) SwapMistakenKeys(e, swaps);
  }
}

}  // namespace

std::string ToTomlString(const toml::table& table) {
  std::ostringstream ss;
  if (!HasMistakenKey(table)) {  // the common case: toml++ as it is
    ss << toml::toml_formatter(table, toml::format_flags::none);
    return ss.str();
  }
  toml::table copy = table;
  std::vector<std::pair<std::string, std::string>> swaps;
  SwapMistakenKeys(copy, swaps);
  ss << toml::toml_formatter(copy, toml::format_flags::none);
  std::string out = ss.str();
  // A placeholder's text can only be that key: outside strings there is no
  // backslash, and inside them every '"' is escaped.
  for (const auto& [placeholder, quoted] : swaps) {
    for (size_t at = out.find(placeholder); at != std::string::npos;
         at = out.find(placeholder, at + quoted.size())) {
      out.replace(at, placeholder.size(), quoted);
    }
  }
  return out;
}

}  // namespace cratedig::config
