// WriterLock: one writer per database for the verbs that fetch from the
// store (crawl, download). Two crawls on one database would both fetch
// everything and double the rate at the host, so the second one refuses:
//   "another crawl holds cratedig.db since 2026-12-03 07:40:12 UTC (pid 4242)"
//
// The lock is flock(2) on "<database>.lock" beside the database. The kernel
// drops it when its holder exits, however it exits (SIGKILL included), so
// a stale lock left by a killed process is simply taken over; the file's
// text (holder's verb, pid, start time) is only for the message.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"

namespace cratedig::db {

class WriterLock {
 public:
  // Takes the lock of `db_path` for `verb` ("crawl", "download"). Fails
  // with Unavailable naming the holder when another process (or another
  // WriterLock in this one) holds it. ":memory:" and "" need no lock.
  static Result<std::unique_ptr<WriterLock>> Acquire(const std::string& db_path,
                                                     const std::string& verb);
  ~WriterLock();  // releases the lock and removes the file
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // "<database>.lock".
  static std::string LockPath(const std::string& db_path);

 private:
  WriterLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace cratedig::db
