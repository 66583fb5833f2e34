// cratedig export: the catalogue's metadata as a CSV / JSON Lines / JSON
// feed (catalogue/export.h). Thin: flags -> ExportOptions -> RunExport.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "catalogue/export.h"
#include "cli/context.h"

namespace cratedig::cli {

namespace {

struct ExportCliOptions {
  std::string db = "cratedig.db";
  std::string format = "csv";
  std::string fields;  // comma-separated
  bool releases = false;
  std::optional<std::string> since;
  catalogue::ExportOptions ex;
};

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t at = s.find(',', start);
    std::string part = s.substr(start, at - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

std::string ColumnHelp() {
  std::string s;
  for (auto kind : {catalogue::RowKind::kTrack, catalogue::RowKind::kRelease}) {
    s += kind == catalogue::RowKind::kTrack ? "\nTrack rows (default):\n"
                                            : "\nRelease rows (--releases):\n";
    for (const catalogue::Column& c : catalogue::Columns(kind)) {
      s += fmt::format("  {:<20} {}\n", c.name, c.doc);
    }
  }
  return s;
}

int RunExportCommand(ExportCliOptions o, Context& ctx) {
  auto format = catalogue::ParseFormat(o.format);
  if (!format.ok()) return Fail("export", format.status());
  o.ex.format = *format;
  o.ex.rows =
      o.releases ? catalogue::RowKind::kRelease : catalogue::RowKind::kTrack;
  o.ex.fields = SplitCommas(o.fields);
  o.ex.filter.since = o.since;
  // The bar draws on stderr; with --out - stdout carries only the feed.
  ProgressBar bar(ctx.BarOptions());
  auto stats =
      catalogue::RunExport(o.db, o.ex, std::cout, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!stats.ok()) return Fail("export", stats.status());
  if (!ctx.quiet) {
    fmt::print(stderr, "export: {} {} rows to {} in {:.2f} s\n", stats->rows,
               o.releases ? "release" : "track",
               o.ex.out == "-" ? std::string("stdout") : o.ex.out,
               stats->elapsed_s);
  }
  return 0;
}

}  // namespace

void RegisterExport(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ExportCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Export the catalogue (one row per track, or per release) as CSV, JSON "
      "Lines or JSON; the database is only read");
  cmd->add_option("--db", o->db,
                  "SQLite database (must exist; opened "
                  "read-only)")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "csv (RFC 4180), jsonl or json")
      ->check(CLI::IsMember({"csv", "jsonl", "json"}))
      ->capture_default_str();
  cmd->add_option("--out", o->ex.out,
                  "Output file (written atomically), or - for stdout")
      ->capture_default_str();
  cmd->add_option("--genres", o->ex.filter.genres,
                  "Only releases with one of these parent genres, store "
                  "genres or listing slugs (repeat or comma-separate)")
      ->delimiter(',');
  cmd->add_option("--since", o->since,
                  "Only releases dated on or after this yyyy-mm-dd");
  cmd->add_option("--fields", o->fields,
                  "Columns to write, comma-separated, in this order "
                  "(default: all; see below)");
  cmd->add_flag("--releases", o->releases, "One row per release");
  cmd->footer(ColumnHelp());
  cmd->callback([o, &ctx] { ctx.exit_code = RunExportCommand(*o, ctx); });
}

}  // namespace cratedig::cli
