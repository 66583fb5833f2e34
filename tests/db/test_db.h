// A fresh database file in a temp folder, removed at the end of the test.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace cratedig::db::testing {

class TempDbPath {
 public:
  TempDbPath() {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("cratedig_db_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDbPath() { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "test.db").string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace cratedig::db::testing
