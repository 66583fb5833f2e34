#include "db/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace cratedig::db {

namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  if (::lseek(fd, 0, SEEK_SET) < 0) return out;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 4096) break;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace

std::string WriterLock::LockPath(const std::string& db_path) {
  return db_path + ".lock";
}

Result<std::unique_ptr<WriterLock>> WriterLock::Acquire(
    const std::string& db_path, const std::string& verb) {
  if (db_path.empty() || db_path == ":memory:") {
    return std::unique_ptr<WriterLock>(new WriterLock(-1, ""));
  }
  const std::string path = LockPath(db_path);
  const std::string name = std::filesystem::path(db_path).filename().string();
  for (int tries = 0;; ++tries) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Status::IoError("cannot create lock file " + path + ": " +
                             std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      std::string holder = ReadAll(fd);
      ::close(fd);
      if (err != EWOULDBLOCK) {
        return Status::IoError("cannot lock " + path + ": " +
                               std::strerror(err));
      }
      // The holder wrote "<verb>\n<time>\n<pid>".
      std::string msg = "another writer holds " + name;
      size_t a = holder.find('\n');
      size_t b = a == std::string::npos ? a : holder.find('\n', a + 1);
      if (b != std::string::npos) {
        msg = "another " + holder.substr(0, a) + " holds " + name + " since " +
              holder.substr(a + 1, b - a - 1) + " (pid " +
              holder.substr(b + 1) + ")";
      }
      return Status::Unavailable(
          msg +
          "; one crawl or download per database at a time (wait for it or "
          "stop it; a killed one releases the lock by itself)");
    }
    // The holder before us may have removed the file after we opened it
    // (its destructor unlinks): then we locked an orphan; open again.
    struct stat a {
    }, b{};
    if (::fstat(fd, &a) != 0 || ::stat(path.c_str(), &b) != 0 ||
        a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
      ::close(fd);
      if (tries < 5) continue;
      return Status::IoError("cannot lock " + path + ": it keeps changing");
    }
    // Ours now, also when a killed process left its text behind: replace it.
    std::string text =
        verb + "\n" + UtcNow() + "\n" + std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) !=
                                       static_cast<ssize_t>(text.size())) {
      ::close(fd);
      return Status::IoError("cannot write lock file " + path + ": " +
                             std::strerror(errno));
    }
    return std::unique_ptr<WriterLock>(new WriterLock(fd, path));
  }
}

WriterLock::~WriterLock() {
  if (fd_ < 0) return;
  // Unlink while still holding the lock, so nobody locks a file that is
  // about to disappear without noticing (Acquire checks the inode).
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace cratedig::db
