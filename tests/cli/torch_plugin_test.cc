// The libtorch backend is a plugin (trainer/torch_plugin.h): the binary
// links no libtorch, only verbs that train or load a libtorch network load
// it, and a missing or broken plugin is a clear error naming its path.
// LD_DEBUG=files makes the dynamic loader list every library it opens, so
// "was libtorch loaded" is read off the process itself, not guessed.
#include "trainer/torch_plugin.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/run_command.h"
#include "trainer/backend.h"

namespace cratedig {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::RunCratedig;

bool Has(const CommandResult& r, const std::string& what) {
  return r.output.find(what) != std::string::npos;
}

fs::path TempDir() {
  fs::path d = fs::temp_directory_path() /
               ("cratedig_plugin_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

// A database path that does not exist: `train` resolves its backend (and so
// loads the plugin) before it opens the database, then fails on it.
std::string NoDb() { return (TempDir() / "none.db").string(); }

TEST(TorchPluginTest, LightVerbsNeverLoadLibtorch) {
  for (const std::string& verb : std::vector<std::string>{
           "--help", "train --help", "status --db " + NoDb(),
           "train --db " + NoDb() + " --set backend='\"tiny-dnn\"'"}) {
    CommandResult r = RunCratedig(verb, "LD_DEBUG=files");
    EXPECT_TRUE(Has(r, "calling init")) << "LD_DEBUG had no effect: " << verb;
    EXPECT_FALSE(Has(r, "libtorch")) << verb << ":\n" << r.output;
    EXPECT_FALSE(Has(r, "libcratedig_torch")) << verb;
  }
}

TEST(TorchPluginTest, TheLibtorchBackendLoadsThePluginBesideTheBinary) {
  CommandResult r = RunCratedig("train --db " + NoDb(), "LD_DEBUG=files");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  // build/cli/cratedig finds build/lib/cratedig/, the installed layout.
  const fs::path plugin = fs::path(CRATEDIG_BINARY_DIR) / "lib" / "cratedig" /
                          trainer::kTorchPluginFile;
  EXPECT_TRUE(Has(r, "file=" + plugin.string())) << r.output.substr(0, 2000);
  EXPECT_TRUE(Has(r, "libtorch_cpu")) << "auto is libtorch when it is there";
  EXPECT_TRUE(Has(r, "no database at")) << "the plugin loaded";
}

TEST(TorchPluginTest, AMissingPluginIsAClearErrorNamingThePath) {
  const std::string missing = (TempDir() / "gone" / "libcratedig_torch.so");
  CommandResult r =
      RunCratedig("train --db " + NoDb(), "CRATEDIG_TORCH_PLUGIN=" + missing);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(Has(r, "NotFound")) << r.output;
  EXPECT_TRUE(Has(r, missing + ": no such file")) << r.output;
  EXPECT_TRUE(Has(r, "backend=\"tiny-dnn\"")) << "says what else to do";
  // The other backend does not need it.
  r = RunCratedig("train --db " + NoDb() + " --set backend='\"tiny-dnn\"'",
                  "CRATEDIG_TORCH_PLUGIN=" + missing);
  EXPECT_TRUE(Has(r, "no database at")) << r.output;
  // Nor does --resume before it knows the run's backend.
  r = RunCratedig("train --resume --db " + NoDb(),
                  "CRATEDIG_TORCH_PLUGIN=" + missing);
  EXPECT_TRUE(Has(r, "no database at")) << r.output;
}

TEST(TorchPluginTest, APluginThatFailsToLoadReportsDlerror) {
  const fs::path bad = TempDir() / "libcratedig_torch.so";
  {
    std::ofstream out(bad);
    out << std::string(256, 'x');  // long enough for an ELF header check
  }
  CommandResult r = RunCratedig("train --db " + NoDb(),
                                "CRATEDIG_TORCH_PLUGIN=" + bad.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(Has(r, "cannot load the libtorch backend plugin " + bad.string()))
      << r.output;
  EXPECT_TRUE(Has(r, "invalid ELF header")) << "dlerror's text: " << r.output;
  fs::remove_all(TempDir());
}

// In this process (a test binary in the build tree, not beside lib/): the
// build tree's plugin is the fallback, and "auto" resolves to it.
TEST(TorchPluginTest, TestBinariesFindTheBuildTreePluginAndAutoPicksIt) {
  ASSERT_EQ(::unsetenv("CRATEDIG_TORCH_PLUGIN"), 0);
  auto paths = trainer::TorchPluginCandidates();
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_TRUE(fs::exists(paths[1])) << paths[1];
  auto backend = trainer::ResolveBackend("auto");
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  EXPECT_EQ(*backend, trainer::kLibtorch);
  EXPECT_TRUE(trainer::LoadTorchPlugin().ok());
}

// `cmake --install` puts the plugin where the installed binary looks, and
// the installed binary (outside the build tree) loads that copy.
TEST(TorchPluginTest, AnInstalledBinaryLoadsTheInstalledPlugin) {
  const fs::path prefix = TempDir() / "prefix";
  const std::string install = "cmake --install " +
                              std::string(CRATEDIG_BINARY_DIR) + " --prefix " +
                              prefix.string() + " > /dev/null";
  ASSERT_EQ(std::system(install.c_str()), 0) << install;
  const fs::path plugin =
      prefix / "lib" / "cratedig" / trainer::kTorchPluginFile;
  ASSERT_TRUE(fs::exists(plugin));
  CommandResult r = testing::RunShell("LD_DEBUG=files " +
                                      (prefix / "bin" / "cratedig").string() +
                                      " train --db " + NoDb());
  const std::string& out = r.output;
  EXPECT_NE(out.find("file=" + plugin.string()), std::string::npos)
      << out.substr(0, 2000);
  EXPECT_NE(out.find("no database at"), std::string::npos);
  fs::remove_all(TempDir());
}

}  // namespace
}  // namespace cratedig
