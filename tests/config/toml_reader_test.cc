#include "config/toml_reader.h"

#include <gtest/gtest.h>

namespace cratedig::config {
namespace {

struct Inner {
  double rate = 0.5;
  void Read(TomlReader& r) { r.Read("rate", rate); }
};

struct Example {
  std::string name = "default";
  int count = 3;
  bool on = false;
  std::vector<std::string> tags;
  Inner inner;
  void Read(TomlReader& r) {
    r.Read("name", name);
    r.Read("count", count);
    r.Read("on", on);
    r.Read("tags", tags);
    r.ReadTable("inner", [&](TomlReader& sub) { inner.Read(sub); });
  }
  void Validate(TomlReader& r) {
    if (count < 0) r.Fail("count", "expected an integer >= 0");
  }
};

TEST(TomlReaderTest, DefaultsStayWhenKeysAreAbsent) {
  auto e = ParseConfig<Example>("", "x.toml");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->name, "default");
  EXPECT_EQ(e->count, 3);
  EXPECT_DOUBLE_EQ(e->inner.rate, 0.5);
}

TEST(TomlReaderTest, ReadsEveryType) {
  auto e = ParseConfig<Example>(
      "name = \"n\"\ncount = 7\non = true\ntags = [\"a\", \"b\"]\n"
      "[inner]\nrate = 2\n",
      "x.toml");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->name, "n");
  EXPECT_EQ(e->count, 7);
  EXPECT_TRUE(e->on);
  EXPECT_EQ(e->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_DOUBLE_EQ(e->inner.rate, 2.0);  // an integer is a fine number
}

TEST(TomlReaderTest, WrongTypeNamesFileKeyAndExpectation) {
  auto e = ParseConfig<Example>("[inner]\nrate = \"fast\"\n", "my.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(),
            "my.toml: key 'inner.rate': expected a number, got a string");
}

TEST(TomlReaderTest, UnknownKeyIsAnError) {
  auto e = ParseConfig<Example>("[inner]\nrat = 1.0\n", "my.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "my.toml: unknown key 'inner.rat'");
  auto top = ParseConfig<Example>("nmae = \"x\"\n", "my.toml");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(), "my.toml: unknown key 'nmae'");
}

TEST(TomlReaderTest, ValidationFailureNamesKey) {
  auto e = ParseConfig<Example>("count = -1\n", "my.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(),
            "my.toml: key 'count': expected an integer >= 0");
}

TEST(TomlReaderTest, SyntaxErrorNamesFileAndLine) {
  auto e = ParseConfig<Example>("name = \"x\"\ncount = = 3\n", "my.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("my.toml:2"), std::string::npos)
      << e.status().message();
}

TEST(TomlReaderTest, MissingFileIsNotFoundWithPath) {
  auto e = LoadConfig<Example>("/no/such/dir/cratedig.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
  EXPECT_NE(e.status().message().find("/no/such/dir/cratedig.toml"),
            std::string::npos);
}

TEST(TomlReaderTest, OverridesAreTypedLikeTheFile) {
  auto e = ParseConfig<Example>(
      "count = 1\n", "x.toml",
      {"count=9", "inner.rate=0.2", "name=bare words", "tags=[\"z\"]"});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->count, 9);
  EXPECT_DOUBLE_EQ(e->inner.rate, 0.2);
  EXPECT_EQ(e->name, "bare words");
  EXPECT_EQ(e->tags, std::vector<std::string>{"z"});

  auto bad = ParseConfig<Example>("", "x.toml", {"count=lots"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'count': expected an integer"),
            std::string::npos)
      << bad.status().message();
  auto typo = ParseConfig<Example>("", "x.toml", {"inner.speed=1"});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("unknown key 'inner.speed'"),
            std::string::npos);
  auto malformed = ParseConfig<Example>("", "x.toml", {"count"});
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("KEY=VALUE"), std::string::npos);
}

// Issue 12: "--set bogus=1" was reported as an unknown key of the file.
TEST(TomlReaderTest, OverrideErrorsNameTheSetNotTheFile) {
  auto typo = ParseConfig<Example>("count = 1\n", "x.toml", {"bogus=1"});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().message(), "--set 'bogus=1': unknown key 'bogus'");
  auto nested = ParseConfig<Example>("", "x.toml", {"inner.speed=1"});
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().message(),
            "--set 'inner.speed=1': unknown key 'inner.speed'");
  auto bad = ParseConfig<Example>("", "x.toml", {"count=-4"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("--set 'count=-4': key 'count'", 0),
            0u)
      << bad.status().message();
  // A problem that is the file's own still names the file.
  auto file = ParseConfig<Example>("cuont = 1\n", "x.toml", {"count=2"});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "x.toml: unknown key 'cuont'");
}

// Found by fuzz/site_profile_fuzz: nan passed every range check (nan < 0
// is false), an int that does not fit wrapped (4294967297 -> 1), and a
// bare-string --set with invalid UTF-8 was kept, so the profile's own TOML
// (SiteProfile::ToToml) no longer parsed.
TEST(TomlReaderTest, NonFiniteOutOfRangeAndNonUtf8AreRefused) {
  for (const char* text : {"[inner]\nrate = nan\n", "[inner]\nrate = inf\n",
                           "[inner]\nrate = -inf\n"}) {
    auto e = ParseConfig<Example>(text, "x.toml");
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.status().message(),
              "x.toml: key 'inner.rate': expected a finite number");
  }
  for (const char* text : {"count = 4294967297\n", "count = -2147483649\n"}) {
    auto e = ParseConfig<Example>(text, "x.toml");
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_NE(e.status().message().find("key 'count': expected an integer in"),
              std::string::npos)
        << e.status().message();
  }
  auto edge = ParseConfig<Example>("count = 2147483647\n", "x.toml");
  ASSERT_TRUE(edge.ok());
  EXPECT_EQ(edge->count, 2147483647);
  auto set = ParseConfig<Example>("", "x.toml", {"inner.rate=nan"});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().message(),
            "--set 'inner.rate=nan': key 'inner.rate': expected a finite "
            "number");
  auto bytes = ParseConfig<Example>("", "x.toml", {"name=caf\xe9 \"x\xff"});
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("not valid UTF-8"),
            std::string::npos);
  auto utf8 = ParseConfig<Example>("", "x.toml", {"name=caf\xc3\xa9"});
  ASSERT_TRUE(utf8.ok()) << utf8.status().ToString();
  EXPECT_EQ(utf8->name, "caf\xc3\xa9");
}

}  // namespace
}  // namespace cratedig::config
