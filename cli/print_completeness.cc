#include "cli/print_completeness.h"

#include <fmt/format.h>

namespace cratedig::cli {

namespace {

std::string Pct(const catalogue::FieldShare& s) {
  if (s.total == 0) return "-";
  return fmt::format("{:.1f}%", 100.0 * s.share());
}

void Table(std::FILE* out, const char* what,
           const catalogue::CompletenessReport& r, bool tracks) {
  const auto& head = tracks ? r.all.track_fields : r.all.release_fields;
  std::string line = fmt::format("{:<20} {:>8}", "listing", what);
  for (const auto& f : head) {
    line +=
        fmt::format(" {:>{}}", f.field, std::max<size_t>(7, f.field.size()));
  }
  fmt::print(out, "{}\n", line);
  auto row = [&](const catalogue::StoredCompleteness& c,
                 const std::string& name) {
    const auto& fields = tracks ? c.track_fields : c.release_fields;
    std::string l =
        fmt::format("{:<20} {:>8}", name, tracks ? c.tracks : c.releases);
    for (size_t i = 0; i < head.size(); ++i) {
      std::string v = i < fields.size() ? Pct(fields[i]) : "-";
      l += fmt::format(" {:>{}}", v, std::max<size_t>(7, head[i].field.size()));
    }
    fmt::print(out, "{}\n", l);
  };
  row(r.all, "all");
  for (const auto& c : r.listings) row(c, c.listing);
}

}  // namespace

void PrintCompleteness(const catalogue::CompletenessReport& r,
                       const catalogue::CompletenessOptions& o,
                       std::FILE* out) {
  fmt::print(out,
             "\nfield completeness: share of stored records having each "
             "field, per listing\n");
  if (!r.has_listings) {
    fmt::print(out, "(this database predates listing records: totals only)\n");
  }
  Table(out, "releases", r, false);
  fmt::print(out, "\n");
  Table(out, "tracks", r, true);
  if (!r.has_page_fields) return;
  fmt::print(out,
             "\nparsed fields: newest pages ({:.0f}% of each listing's pages, "
             "by fetch time) against the earlier ones, all listings\n",
             100 * o.newest_share);
  fmt::print(out, "{:<8} {:<8} {:<17} {:>30} {:>30}\n", "pages", "record",
             "field", "earlier", "newest");
  for (const auto& d : r.drift) {
    if (!d.listing.empty()) continue;
    fmt::print(out, "{:<8} {:<8} {:<17} {:>30} {:>30}{}\n", d.page_kind,
               d.record, d.field,
               fmt::format("{:>7} of {:>6} ({} pages)", Pct(d.earlier),
                           d.earlier.total, d.earlier_pages),
               fmt::format("{:>7} of {:>6} ({} pages)", Pct(d.newest),
                           d.newest.total, d.newest_pages),
               d.warn ? "  DROPPED" : "");
  }
  std::fflush(out);  // the warnings after the table, not inside it
  for (const auto& d : r.drift) {
    if (!d.warn) continue;
    fmt::print(stderr,
               "warning: {} {} dropped from {} to {} in the newest {} pages "
               "of {}: a selector of the site profile may have stopped "
               "matching\n",
               d.record, d.field, Pct(d.earlier), Pct(d.newest), d.page_kind,
               d.listing.empty() ? std::string("all listings")
                                 : "listing " + d.listing);
  }
}

}  // namespace cratedig::cli
