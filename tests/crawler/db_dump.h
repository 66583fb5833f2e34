// A canonical text dump of the catalogue tables (by store ids, not row ids)
// for comparing two databases: a resumed crawl against an uninterrupted one.
#pragma once

#include <string>

#include "db/database.h"

namespace cratedig::crawler::testing {

inline std::string DumpCatalogue(db::Database& db) {
  std::string out;
  auto dump = [&](const char* sql) {
    auto s = db.Prepare(sql);
    if (!s.ok()) {
      out += "ERROR " + s.status().ToString() + "\n";
      return;
    }
    for (;;) {
      auto row = s->Step();
      if (!row.ok() || !*row) break;
      out += s->Text(0) + "\n";
    }
  };
  dump(
      "SELECT 'R|' || store_id || '|' || url || '|' || coalesce(artist,'-') "
      "|| '|' || coalesce(title,'-') || '|' || coalesce(label,'-') || '|' || "
      "coalesce(catalogue_number,'-') || '|' || coalesce(release_date,'-') || "
      "'|' || coalesce(store_genre,'-') || '|' || coalesce(parent_genre,'-') "
      "|| '|' || missing_fields FROM releases ORDER BY store_id");
  dump(
      "SELECT 'T|' || t.store_id || '|' || r.store_id || '|' || t.position || "
      "'|' || coalesce(t.artist,'-') || '|' || coalesce(t.title,'-') || '|' "
      "|| coalesce(t.label,'-') || '|' || coalesce(t.catalogue_number,'-') || "
      "'|' || coalesce(t.release_date,'-') || '|' || "
      "coalesce(t.store_genre,'-') || '|' || coalesce(t.parent_genre,'-') || "
      "'|' || coalesce(t.bpm,'-') || '|' || coalesce(t.duration_s,'-') || "
      "'|' || coalesce(t.preview_url,'-') || '|' || t.missing_fields FROM "
      "tracks t JOIN releases r ON r.id=t.release_id ORDER BY t.store_id");
  dump(
      "SELECT 'P|' || t.store_id || '|' || p.url || '|' || p.status || '|' "
      "|| coalesce(p.sha256,'-') || '|' || coalesce(p.bytes,'-') || '|' || "
      "coalesce(p.error,'-') FROM previews p JOIN tracks t ON t.id=p.track_id "
      "ORDER BY t.store_id");
  return out;
}

}  // namespace cratedig::crawler::testing
