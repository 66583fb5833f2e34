// core/strings: the ASCII helpers and the UTF-8 check.
#include "core/strings.h"

#include <gtest/gtest.h>

#include <string>

namespace cratedig {
namespace {

TEST(StringsTest, LowerAndTrimAreAscii) {
  EXPECT_EQ(Lower("AbC-\xc3\x89"), "abc-\xc3\x89");
  EXPECT_EQ(Trim("  a b \t\n"), "a b");
  EXPECT_EQ(Trim(" \t "), "");
}

TEST(StringsTest, IsValidUtf8) {
  for (const char* ok :
       {"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x8e\xb5",
        "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd"}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // NUL is a code point
  for (const char* bad : {"\xff", "\xfe\xff", "\x80", "caf\xe9",
                          "\xc3",              // truncated
                          "\xc0\xaf",          // overlong '/'
                          "\xe0\x80\xaf",      // overlong
                          "\xed\xa0\x80",      // surrogate U+D800
                          "\xf4\x90\x80\x80",  // above U+10FFFF
                          "\xf5\x80\x80\x80", "\xe2\x82", "\xe2\x28\xa1"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

}  // namespace
}  // namespace cratedig
