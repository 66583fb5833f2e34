// core/json: the project's one JSON value, parser and writer.
#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cratedig::json {
namespace {

TEST(JsonTest, RoundTripAndStrictness) {
  json::Value v = json::Value::Object(
      {{"a", 1}, {"b", "x\"y\n<\xc3\xa9"}, {"c", json::Value::Array()}});
  v.set("d", 0.25);
  v.set("a", true);  // replaces in place
  const std::string s = json::Dump(v);
  EXPECT_EQ(s, R"({"a":true,"b":"x\"y\n\u003cé","c":[],"d":0.25})");
  auto back = json::Parse(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(json::Dump(*back), s);
  EXPECT_EQ((*back)["b"].as_string(), "x\"y\n<\xc3\xa9");
  auto u = json::Parse(R"(["\ud83c\udfb5", -1.5e2, null, {"k": [1, 2]}])");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)[0].as_string(), "\xf0\x9f\x8e\xb5");
  EXPECT_EQ((*u)[1].as_number(), -150);
  EXPECT_TRUE((*u)[2].is_null());
  EXPECT_EQ((*u)[3]["k"][1].as_int(), 2);
  for (const char* bad : {"", "{", "[1,]", "01", "\"\x01\"", "{\"a\" 1}", "tru",
                          "[1] x", "1.", "{'a':1}"}) {
    EXPECT_FALSE(json::Parse(bad).ok()) << bad;
  }
}

TEST(JsonTest, SetMemberSetsOneMemberAndKeepsTheOthers) {
  auto r = SetMember("", "training", Value::Object({{"epochs", 3}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{\"training\":{\"epochs\":3}}");
  r = SetMember(
      "{\"training\":{\"a\":[1,{\"b\":\"}\"}]},\"recommendations\":{\"p\":0.5}"
      "}",
      "training", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{\"training\":1,\"recommendations\":{\"p\":0.5}}");
  r = SetMember("{ \"x\" : true }", "evaluation", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{\"x\":true,\"evaluation\":null}");
  EXPECT_FALSE(SetMember("[1,2]", "k", 1).ok());
  EXPECT_FALSE(SetMember("{\"a\":1", "k", 1).ok());
  EXPECT_EQ(Dump(Value(std::nan(""))), "null");
  EXPECT_EQ(Dump(Value("a\"b\n")), "\"a\\\"b\\n\"");
}

}  // namespace
}  // namespace cratedig::json
