#include "core/files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace cratedig {
namespace {
namespace fs = std::filesystem;

fs::path TempDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("cratedig_files_test_" + name +
                                            "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(FilesTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FilesTest, AtomicWriteCreatesParentsAndReplaces) {
  fs::path dir = TempDir("atomic");
  fs::path f = dir / "a" / "b" / "x.txt";
  ASSERT_TRUE(WriteFileAtomic(f, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(f, "second, longer").ok());
  EXPECT_EQ(*ReadFile(f), "second, longer");
  EXPECT_EQ(*Sha256File(f), Sha256Hex("second, longer"));
  // No temp file is left behind.
  int n = 0;
  for (auto& e : fs::directory_iterator(f.parent_path())) {
    (void)e;
    ++n;
  }
  EXPECT_EQ(n, 1);
  fs::remove_all(dir);
}

TEST(FilesTest, AtomicWriteIntoUnwritablePlaceFails) {
  fs::path dir = TempDir("unwritable");
  fs::path blocker = dir / "file";
  ASSERT_TRUE(WriteFileAtomic(blocker, "x").ok());
  // A path under a regular file cannot be created.
  Status st = WriteFileAtomic(blocker / "child.txt", "y");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("child.txt"), std::string::npos) << st.message();
  fs::remove_all(dir);
}

TEST(FilesTest, ReadMissingFileIsNotFound) {
  Result<std::string> r = ReadFile("/nonexistent/cratedig/file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(FilesTest, CommitTempFileRenames) {
  fs::path dir = TempDir("commit");
  fs::path tmp = dir / "x.part";
  ASSERT_TRUE(WriteFileAtomic(tmp, "payload").ok());
  ASSERT_TRUE(CommitTempFile(tmp, dir / "sub" / "x.bin").ok());
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(*ReadFile(dir / "sub" / "x.bin"), "payload");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cratedig
