// `neuroshop serve`'s URL handling without a socket: percent-decoding, Host/Origin names, and which
// file a path may name under the web root (traversal in every spelling refused, links out of the
// root refused, only known types served).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "apps/serve/http.h"
#include "apps/serve/static_files.h"

namespace neuroshop::serve {
namespace {
namespace fs = std::filesystem;

// The status of the HttpError `fn` throws (0 when it does not throw).
int status_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const HttpError& e) {
    return e.status();
  }
  return 0;
}

TEST(ServePaths, PercentDecodingIsStrict) {
  EXPECT_EQ(percent_decode("/a%20b/%2e%2E/x+y"), "/a b/../x+y");
  EXPECT_EQ(percent_decode("/%C3%A9"), "/\xC3\xA9");
  EXPECT_EQ(status_of([] { percent_decode("/%2"); }), 400);
  EXPECT_EQ(status_of([] { percent_decode("/%zz"); }), 400);
  EXPECT_EQ(status_of([] { percent_decode("/x%00.html"); }), 400);
  EXPECT_EQ(status_of([] { percent_decode(std::string("/x\0y", 4)); }), 400);
}

TEST(ServePaths, HostNamesOfHostHeadersAndOrigins) {
  EXPECT_EQ(host_name("127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(host_name("LocalHost"), "localhost");
  EXPECT_EQ(host_name("[::1]:80"), "[::1]");
  EXPECT_EQ(host_name("http://localhost:8080"), "localhost");
  EXPECT_EQ(host_name("https://evil.example/path"), "evil.example");
  EXPECT_EQ(host_name(""), "");
}

TEST(ServePaths, PlainFileNames) {
  EXPECT_TRUE(is_plain_file_name("sofa_beige_34.png"));
  EXPECT_TRUE(is_plain_file_name("a-b.c"));
  for (const char* bad : {"", ".", "..", ".hidden", "a/b", "a\\b", "a b", "%2e", "x\n"}) EXPECT_FALSE(is_plain_file_name(bad)) << bad;
  EXPECT_FALSE(is_plain_file_name(std::string(129, 'a')));
}

class ServeStatic : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("neuroshop_serve_paths_" + std::to_string(getpid()));
    fs::create_directories(base_ / "web" / "sub");
    write(base_ / "web" / "index.html", "<!doctype html>");
    write(base_ / "web" / "app.js", "'use strict';");
    write(base_ / "web" / "notes.txt", "not a served type");
    write(base_ / "web" / ".hidden.html", "hidden");
    write(base_ / "web" / "sub" / "page.html", "sub page");
    write(base_ / "secret.html", "outside the root");
    fs::create_symlink(base_ / "secret.html", base_ / "web" / "link.html");
    root_ = base_ / "web";
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  int status(const std::string& url) const {
    return status_of([&] { resolve_static_path(root_, url); });
  }

  fs::path base_, root_;
};

TEST_F(ServeStatic, ServesFilesOfTheRootOnly) {
  EXPECT_EQ(resolve_static_path(root_, "/"), fs::canonical(root_ / "index.html"));
  EXPECT_EQ(resolve_static_path(root_, "/app.js"), fs::canonical(root_ / "app.js"));
  EXPECT_EQ(resolve_static_path(root_, "/sub/page.html"), fs::canonical(root_ / "sub" / "page.html"));
  EXPECT_EQ(resolve_static_path(root_, "/%61pp.js"), fs::canonical(root_ / "app.js"));
  EXPECT_EQ(static_content_type("x.html"), "text/html; charset=utf-8");
  EXPECT_EQ(static_content_type("x.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(static_content_type("x.txt"), "");
}

TEST_F(ServeStatic, RefusesTraversalInEverySpelling) {
  for (const char* url : {"/../secret.html", "/sub/../../secret.html", "/sub/../index.html", "/./index.html",
                          "/%2e%2e/secret.html", "/%2E%2E/secret.html", "/%2e%2e%2fsecret.html", "/sub%2f..%2f..%2fsecret.html",
                          "/..%5csecret.html", "/sub\\..\\..\\secret.html", "//etc/passwd", "/%2Fetc%2Fpasswd",
                          "/%2f%2e%2e%2fsecret.html", "/.hidden.html", "/x%00.html", "/index.html%00.js", "/a b.html",
                          "index.html", ""}) {
    EXPECT_EQ(status(url), 400) << url;
  }
}

TEST_F(ServeStatic, RefusesWhatIsNotAServedFile) {
  EXPECT_EQ(status("/missing.html"), 404);
  EXPECT_EQ(status("/notes.txt"), 404);  // exists, but not a type the server serves
  EXPECT_EQ(status("/link.html"), 404);  // a link leading out of the root
  EXPECT_EQ(status("/sub/"), 404);       // sub/index.html is not there
  EXPECT_EQ(status("/sub"), 404);        // a directory
  EXPECT_EQ(status_of([&] { resolve_static_path(base_ / "no-such-root", "/index.html"); }), 404);
}

}  // namespace
}  // namespace neuroshop::serve
