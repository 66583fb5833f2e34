// TomlReader: reads a toml++ table into typed structs, strictly.
//
// Every Read*() looks a key up, checks its type and copies it into a field
// whose default was written in place; a missing key keeps the default. After
// reading, Finish() reports the first problem: a wrong type, a bad value, or a
// key nobody read (a typo), always naming the file and the dotted key and what
// was expected. Configs are never maps of strings.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cratedig::config {

class TomlReader {
 public:
  // `source` names the input in errors (a file path, "--set").
  TomlReader(const toml::table& table, std::string source,
             std::string prefix = "");

  void Read(std::string_view key, std::string& out);
  void Read(std::string_view key, double& out);  // accepts integers too
  void Read(std::string_view key, int64_t& out);
  void Read(std::string_view key, int& out);
  void Read(std::string_view key, bool& out);
  void Read(std::string_view key, std::vector<std::string>& out);
  // A table of string -> string (e.g. genre names to parent genres).
  void Read(std::string_view key, std::map<std::string, std::string>& out);
  // A sub-table, read by `fn` with a reader whose errors carry "key.".
  void ReadTable(std::string_view key,
                 const std::function<void(TomlReader&)>& fn);
  // An array of tables ([[key]]), each read by `fn`.
  void ReadTableArray(std::string_view key,
                      const std::function<void(TomlReader&)>& fn);

  // Records a semantic error for `key` ("must be > 0").
  void Fail(std::string_view key, const std::string& expected);

  // The first error, or an unknown key; Ok otherwise.
  Status Finish();

  // Dotted keys set by --set (key -> "key=value" as given): errors about
  // them name the --set, not the file, which never had them.
  void SetOverrides(std::map<std::string, std::string> overrides);

 private:
  const toml::node* Lookup(std::string_view key);
  void TypeError(std::string_view key, const char* expected,
                 const toml::node& got);
  std::string Path(std::string_view key) const;
  void CollectUnknown(const toml::table& t, const std::string& prefix);
  // "--set 'k=v'" when the dotted key came from an override, else source_.
  std::string SourceOf(const std::string& full_key) const;

  const toml::table& table_;
  std::string source_;
  std::string prefix_;
  std::set<std::string> seen_;
  std::vector<std::string> errors_;
  std::shared_ptr<const std::map<std::string, std::string>> overrides_;
};

// Parses a TOML file. Errors name the file, line and column.
Result<toml::table> ParseTomlFile(const std::string& path);

// Applies "a.b.c=value" overrides (the CLI's --set) to `table`. The value is
// parsed as a TOML value (0.2, true, "x", [1,2]); anything that does not
// parse is taken as a bare string.
// `applied` (optional) receives each dotted key and its "key=value" text,
// for TomlReader::SetOverrides.
Status ApplyOverrides(toml::table& table,
                      const std::vector<std::string>& overrides,
                      std::map<std::string, std::string>* applied = nullptr);

// Renders a table as TOML (stable key order), for hashing and storing.
std::string ToTomlString(const toml::table& table);

}  // namespace cratedig::config

namespace cratedig::config {

// Loads a settings struct T from a TOML file plus --set overrides. T must
// have `void Read(TomlReader&)` (reads every key it knows into fields whose
// defaults are written in place) and `void Validate(TomlReader&)` (range
// checks via Fail). Errors name the file and the key.
template <typename T>
Result<T> LoadConfig(const std::string& path,
                     const std::vector<std::string>& overrides = {}) {
  CRATEDIG_ASSIGN_OR_RETURN(toml::table table, ParseTomlFile(path));
  std::map<std::string, std::string> applied;
  CRATEDIG_RETURN_IF_ERROR(ApplyOverrides(table, overrides, &applied));
  T out;
  TomlReader reader(table, path);
  reader.SetOverrides(std::move(applied));
  out.Read(reader);
  out.Validate(reader);
  CRATEDIG_RETURN_IF_ERROR(reader.Finish());
  return out;
}

// The same from TOML text (tests, embedded defaults).
template <typename T>
Result<T> ParseConfig(std::string_view text, const std::string& source,
                      const std::vector<std::string>& overrides = {}) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(source + ":" +
                                   std::to_string(e.source().begin.line) +
                                   ": " + std::string(e.description()));
  }
  std::map<std::string, std::string> applied;
  CRATEDIG_RETURN_IF_ERROR(ApplyOverrides(table, overrides, &applied));
  T out;
  TomlReader reader(table, source);
  reader.SetOverrides(std::move(applied));
  out.Read(reader);
  out.Validate(reader);
  CRATEDIG_RETURN_IF_ERROR(reader.Finish());
  return out;
}

}  // namespace cratedig::config
