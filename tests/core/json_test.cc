// core/json: the project's conventions on top of nlohmann::ordered_json.
#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cratedig::json {
namespace {

TEST(JsonTest, DumpKeepsOrderEscapesAndNeverThrows) {
  Json v = {{"a", 1}, {"b", "x\"y\n<\xc3\xa9"}, {"c", Json::array()}};
  v["d"] = 0.25;
  v["a"] = true;  // replaces in place
  const std::string s = Dump(v);
  EXPECT_EQ(s, R"({"a":true,"b":"x\"y\n\u003cé","c":[],"d":0.25})");
  auto back = Parse(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Dump(*back), s);
  EXPECT_EQ((*back)["b"].get<std::string>(), "x\"y\n<\xc3\xa9");
  EXPECT_EQ(Dump(Json(std::nan(""))), "null");
  EXPECT_EQ(Dump(Json("bad \xff utf8")), "\"bad \xef\xbf\xbd utf8\"");
  EXPECT_EQ(Dump(Shortest(0.906f)), "0.906");
  EXPECT_EQ(Dump(Json(0.906f)), "0.906000018119812");  // why Shortest exists
}

TEST(JsonTest, ParseIsStrict) {
  auto u = Parse(R"(["\ud83c\udfb5", -1.5e2, null, {"k": [1, 2]}])");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)[0].get<std::string>(), "\xf0\x9f\x8e\xb5");
  EXPECT_EQ((*u)[1].get<double>(), -150);
  EXPECT_TRUE((*u)[2].is_null());
  EXPECT_EQ((*u)[3]["k"][1].get<int>(), 2);
  for (const char* bad : {"", "{", "[1,]", "01", "\"\x01\"", "{\"a\" 1}", "tru",
                          "[1] x", "1.", "{'a':1}", "[1] // c",
                          // number overflow: out_of_range, not parse_error
                          "1e309", "[-1e400]", "{\"e\":1e309}"}) {
    auto r = Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
    }
  }
}

TEST(JsonTest, SetMemberSetsOneMemberAndKeepsTheOthers) {
  auto r = SetMember("", "training", Json{{"epochs", 3}});
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
}

}  // namespace
}  // namespace cratedig::json
