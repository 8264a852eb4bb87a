// S3-specific tests against moto (label s3): SigV4 authentication against the signature-
// checking server ($SLATEDB_TEST_S3_AUTH_ENDPOINT, started with INITIAL_NO_AUTH_ACTION_COUNT=0),
// secrets never leaking into Status messages or logs, and a request-rate measurement against
// $SLATEDB_TEST_S3_ENDPOINT. Skipped (with a message) when the variables are unset.
//
// moto with INITIAL_NO_AUTH_ACTION_COUNT=0 only accepts access keys of IAM users it knows. The
// suite opens a short unauthenticated window (POST /moto-api/reset-auth with a count of 3),
// creates an IAM user, an access key and an allow-all inline policy, then closes the window
// (reset-auth 0). moto's signature check recomputes the canonical request from the URL as
// werkzeug decoded it, so keys with sub-delimiters ('+', '=') or a '/' inside a query value fail
// there although they are correctly signed for AWS; these tests use plain keys and prefixes.
// ctest runs each test in its own process, possibly in parallel, and moto's no-auth window is
// global: a per-endpoint flock(2) file serialises windows (exclusive) against running tests
// (shared), so no test ever runs while some process has authentication switched off.
#include "object_store/s3_object_store.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <pugixml.hpp>
#include <sstream>
#include <thread>

#include "object_store/aws_test_support.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/retrying_object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb {
namespace {

std::string Hex64() {
  static std::atomic<uint64_t> n{0};
  util::Random r(util::EntropySeed() + n.fetch_add(1) * 7919);
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(r.Next64()));
  return buf;
}

size_t Append(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}

// A raw POST for moto's control API and IAM (test setup only).
long RawPost(const std::string& url, const std::string& body, const std::string& content_type,
             bool sign_iam, std::string* out) {
  CURL* h = curl_easy_init();
  curl_slist* hdrs = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
  if (sign_iam) {  // moto routes by the credential scope; the signature is not checked here
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:iam");
    curl_easy_setopt(h, CURLOPT_USERPWD, "setup:setup");
  }
  long status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return status;
}

std::string FormEncode(const std::string& s) { return s3_internal::UriEncode(s, false); }

// flock(2) on /tmp/slatedb-moto-auth-<endpoint>.lock; released on destruction.
class EndpointLock {
 public:
  EndpointLock(const std::string& endpoint, int mode) {
    std::string name = "/tmp/slatedb-moto-auth-";
    for (char c : endpoint) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    name += ".lock";
    fd_ = ::open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      while (::flock(fd_, mode) != 0 && errno == EINTR) {
      }
    }
  }
  ~EndpointLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  EndpointLock(const EndpointLock&) = delete;
  EndpointLock& operator=(const EndpointLock&) = delete;

 private:
  int fd_ = -1;
};

struct IamKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string error;
};

IamKey CreateMotoIamKey(const std::string& endpoint) {
  IamKey key;
  std::string out;
  if (RawPost(endpoint + "/moto-api/reset-auth", "3", "text/plain", false, &out) != 200) {
    key.error = "reset-auth failed: " + out;
    return key;
  }
  std::string user = "slatedb-" + Hex64();
  const std::string form = "application/x-www-form-urlencoded";
  std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  out.clear();
  long s1 = RawPost(endpoint + "/", "Action=CreateUser&Version=2010-05-08&UserName=" + user, form,
                    true, &out);
  std::string key_xml;
  long s2 = RawPost(endpoint + "/", "Action=CreateAccessKey&Version=2010-05-08&UserName=" + user,
                    form, true, &key_xml);
  out.clear();
  long s3 = RawPost(endpoint + "/",
                    "Action=PutUserPolicy&Version=2010-05-08&PolicyName=all&UserName=" + user +
                        "&PolicyDocument=" + FormEncode(policy),
                    form, true, &out);
  std::string ignored;
  RawPost(endpoint + "/moto-api/reset-auth", "0", "text/plain", false, &ignored);
  if (s1 != 200 || s2 != 200 || s3 != 200) {
    key.error = "IAM setup failed: " + std::to_string(s1) + "/" + std::to_string(s2) + "/" +
                std::to_string(s3) + " " + out;
    return key;
  }
  pugi::xml_document doc;
  doc.load_string(key_xml.c_str());
  auto ak = doc.child("CreateAccessKeyResponse").child("CreateAccessKeyResult").child("AccessKey");
  key.access_key_id = ak.child_value("AccessKeyId");
  key.secret_access_key = ak.child_value("SecretAccessKey");
  if (key.access_key_id.empty()) key.error = "no access key in " + key_xml;
  return key;
}

class S3AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* ep = std::getenv("SLATEDB_TEST_S3_AUTH_ENDPOINT");
    if (ep == nullptr || *ep == '\0') return;
    endpoint_ = ep;
    EndpointLock exclusive(endpoint_, LOCK_EX);
    key_ = CreateMotoIamKey(endpoint_);
    bucket_ = "slatedb-auth-" + Hex64();
  }

  void SetUp() override {
    if (endpoint_.empty()) {
      GTEST_SKIP() << "SLATEDB_TEST_S3_AUTH_ENDPOINT is not set (scripts/test.sh starts a "
                      "signature-checking moto); skipping S3 auth tests";
    }
    ASSERT_TRUE(key_.error.empty()) << key_.error;
    shared_lock_ = std::make_unique<EndpointLock>(endpoint_, LOCK_SH);
    // Capture everything logged while the test runs (the process default logger, at trace).
    log_ = std::make_unique<slatedb::testing::ScopedLogCapture>(LogLevel::kTrace);
    S3Config c = Config(key_.secret_access_key);
    Status st = CreateS3Bucket(c);
    ASSERT_OK(st) << st.ToString();
  }

  void TearDown() override {
    shared_lock_.reset();
    if (!log_) return;
    const std::string logged = log_->All();
    log_.reset();
    EXPECT_EQ(logged.find(key_.secret_access_key), std::string::npos);
    EXPECT_EQ(logged.find("WRONG-SECRET"), std::string::npos);
    EXPECT_EQ(logged.find("TOKEN-SECRET"), std::string::npos);
  }

  static S3Config Config(const std::string& secret) {
    S3Config c;
    c.bucket = bucket_;
    c.endpoint = endpoint_;
    c.allow_http = true;
    c.access_key_id = key_.access_key_id;
    c.secret_access_key = secret;
    return c;
  }

  static void ExpectNoSecrets(const Status& st) {
    EXPECT_EQ(st.message().find(key_.secret_access_key), std::string::npos) << st.ToString();
    EXPECT_EQ(st.message().find("WRONG-SECRET"), std::string::npos) << st.ToString();
    EXPECT_EQ(st.message().find("TOKEN-SECRET"), std::string::npos) << st.ToString();
  }

  static inline std::string endpoint_;
  static inline IamKey key_;
  static inline std::string bucket_;
  std::unique_ptr<EndpointLock> shared_lock_;
  std::unique_ptr<slatedb::testing::ScopedLogCapture> log_;
};

TEST_F(S3AuthTest, CorrectCredentialsWork) {
  auto s = NewS3ObjectStore(Config(key_.secret_access_key));
  ASSERT_OK(s) << s.status().ToString();
  auto& store = *s;
  ObjectPutOptions o;
  o.metadata["slatedbputid"] = "abc";
  auto e = store->Put("db/manifest/00000000000000000001.manifest", "m1", o);
  ASSERT_OK(e) << e.status().ToString();
  EXPECT_EQ(store->Get("db/manifest/00000000000000000001.manifest").value_or("?"), "m1");
  EXPECT_EQ(store->GetRange("db/manifest/00000000000000000001.manifest", 1, 5).value_or("?"), "1");
  auto h = store->Head("db/manifest/00000000000000000001.manifest");
  ASSERT_OK(h) << h.status().ToString();
  EXPECT_EQ(h->metadata.at("slatedbputid"), "abc");
  EXPECT_TRUE(store->PutIfAbsent("db/manifest/00000000000000000001.manifest", "x")
                  .status()
                  .IsAlreadyExists());
  auto e2 = store->PutIfMatch("db/manifest/00000000000000000001.manifest", "m2", *e);
  EXPECT_OK(e2) << e2.status().ToString();
  auto l = store->List("db");  // moto mis-verifies '/' inside query values; see the file comment
  ASSERT_OK(l) << l.status().ToString();
  ASSERT_EQ(l->size(), 1u);
  // Signed multipart upload (query strings uploads=, partNumber/uploadId).
  S3Config small_parts = Config(key_.secret_access_key);
  small_parts.multipart_threshold = 5u << 20;
  small_parts.part_size = 5u << 20;
  auto mp = NewS3ObjectStore(small_parts);
  ASSERT_OK(mp);
  std::string big(11u << 20, 'z');
  big[123] = 'a';
  auto be = (*mp)->PutIfAbsent("db/big.sst", big);
  ASSERT_OK(be) << be.status().ToString();
  EXPECT_TRUE((*mp)->Get("db/big.sst").value_or("?") == big);
  // The same, streamed (signed CreateMultipartUpload / UploadPart / Complete, and an Abort).
  auto sw = (*mp)->OpenWriter("db/streamed.sst");
  ASSERT_OK(sw);
  for (size_t off = 0; off < big.size(); off += 1u << 20) {
    ASSERT_OK((*sw)->Append(std::string_view(big).substr(off, 1u << 20)));
  }
  auto se = (*sw)->Finish();
  ASSERT_OK(se) << se.status().ToString();
  EXPECT_TRUE((*mp)->Get("db/streamed.sst").value_or("?") == big);
  auto aw = (*mp)->OpenWriter("db/aborted.sst");
  ASSERT_OK(aw);
  ASSERT_OK((*aw)->Append(big));
  EXPECT_OK((*aw)->Abort());
  EXPECT_TRUE((*mp)->Head("db/aborted.sst").status().IsNotFound());
  EXPECT_OK(store->Delete("db/streamed.sst"));
  EXPECT_OK(store->Delete("db/big.sst"));
  EXPECT_OK(store->Delete("db/manifest/00000000000000000001.manifest"));
}

TEST_F(S3AuthTest, WrongSecretIsPermissionDeniedAndNotRetried) {
  auto s = NewS3ObjectStore(Config("WRONG-SECRET-0123456789abcdef"));
  ASSERT_OK(s);
  auto counted = NewFaultInjectingObjectStore(*s, {});
  auto store = NewRetryingObjectStore(counted, {});
  auto r = store->Get("any/key");
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("SignatureDoesNotMatch"), std::string::npos)
      << r.status().ToString();
  ExpectNoSecrets(r.status());
  EXPECT_EQ(counted->counts().get, 1u);  // not retried
  for (const Status& st :
       {store->Put("k", "v").status(), store->PutIfAbsent("k", "v").status(),
        store->Head("k").status(), store->List("").status(), store->Delete("k")}) {
    EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
    ExpectNoSecrets(st);
  }
}

TEST_F(S3AuthTest, UnknownAccessKeyIsPermissionDenied) {
  S3Config c = Config("WRONG-SECRET-x");
  c.access_key_id = "AKIAUNKNOWNKEY000000";
  auto s = NewS3ObjectStore(c);
  ASSERT_OK(s);
  auto r = (*s)->Put("k", "v");
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("InvalidAccessKeyId"), std::string::npos);
  ExpectNoSecrets(r.status());
}

TEST_F(S3AuthTest, SessionTokenNeverAppearsInMessages) {
  // moto rejects a session token on an IAM user key (InvalidToken): a permission error whose
  // message must not echo the token.
  S3Config c = Config(key_.secret_access_key);
  c.session_token = "TOKEN-SECRET-0123456789";
  auto s = NewS3ObjectStore(c);
  ASSERT_OK(s);
  auto r = (*s)->Get("k");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  ExpectNoSecrets(r.status());
}

TEST_F(S3AuthTest, OpenObjectStoreFromEnvironment) {
  setenv("AWS_ENDPOINT_URL", endpoint_.c_str(), 1);
  setenv("AWS_ALLOW_HTTP", "1", 1);
  setenv("AWS_ACCESS_KEY_ID", key_.access_key_id.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", key_.secret_access_key.c_str(), 1);
  auto s = OpenObjectStore("s3://" + bucket_ + "/env-prefix");
  ASSERT_OK(s) << s.status().ToString();
  ASSERT_OK((*s)->Put("obj", "v"));
  EXPECT_EQ((*s)->Get("obj").value_or("?"), "v");
  EXPECT_EQ((*s)->Describe(), "s3://" + bucket_ + "/env-prefix");
  setenv("AWS_SECRET_ACCESS_KEY", "WRONG-SECRET-env", 1);
  auto bad = OpenObjectStore("s3://" + bucket_ + "/env-prefix");
  ASSERT_OK(bad);
  auto start = std::chrono::steady_clock::now();
  auto r = (*bad)->Get("obj");
  EXPECT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_EQ(r.status().message().find("gave up"), std::string::npos);  // not retried
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  ExpectNoSecrets(r.status());
  for (const char* v :
       {"AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
    unsetenv(v);
  }
}

// Credentials from a profile in the shared files (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE,
// AWS_PROFILE; region and endpoint_url from the profile) sign requests that moto verifies.
TEST_F(S3AuthTest, ProfileCredentialsFromSharedFilesAreSigned) {
  slatedb::testing::TempDir home;
  slatedb::testing::ScopedAwsEnv env(home.path());
  const std::string creds_file =
      home.Write("creds", "[slatedb-moto]\naws_access_key_id = " + key_.access_key_id +
                              "\naws_secret_access_key = " + key_.secret_access_key + "\n");
  const std::string config_file = home.Write(
      "config", "[profile slatedb-moto]\nregion = us-east-1\nendpoint_url = " + endpoint_ + "\n");
  env.Set("AWS_SHARED_CREDENTIALS_FILE", creds_file);
  env.Set("AWS_CONFIG_FILE", config_file);
  env.Set("AWS_PROFILE", "slatedb-moto");
  env.Set("AWS_ALLOW_HTTP", "true");
  auto s = OpenObjectStore("s3://" + bucket_ + "/profile");
  ASSERT_OK(s) << s.status().ToString();
  auto put = (*s)->Put("obj", "from-profile");
  ASSERT_OK(put) << put.status().ToString();
  EXPECT_EQ((*s)->Get("obj").value_or("?"), "from-profile");
  ASSERT_OK((*s)->Head("obj"));  // (no List: its prefix "profile/" has a '/', see above)
  // A wrong secret in the profile: kPermissionDenied naming the profile, without the secret.
  home.Write("creds", "[slatedb-moto]\naws_access_key_id = " + key_.access_key_id +
                          "\naws_secret_access_key = WRONG-SECRET-profile\n");
  auto bad = OpenObjectStore("s3://" + bucket_ + "/profile");
  ASSERT_OK(bad) << bad.status().ToString();
  auto r = (*bad)->Get("obj");
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(r.status().message().find("credentials from profile 'slatedb-moto'"), std::string::npos)
      << r.status().ToString();
  ExpectNoSecrets(r.status());
  EXPECT_OK((*s)->Delete("obj"));
}

// Web identity (EKS IRSA): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN → moto's STS
// AssumeRoleWithWebIdentity (moto_server answers STS on the same port; AWS_ENDPOINT_URL applies
// to STS as in the SDKs), then S3 requests signed with the temporary credentials and their
// session token. On the plain moto: moto's STS keys are not IAM keys, which the signature-checking
// server would reject, and that server answers the unsigned STS call with HTTP 500.
TEST(S3WebIdentity, AssumeRoleWithWebIdentityOnMoto) {
  const char* ep = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (ep == nullptr || *ep == '\0') GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT is not set";
  slatedb::testing::TempDir home;
  slatedb::testing::ScopedAwsEnv env(home.path());
  slatedb::testing::ScopedLogCapture log(LogLevel::kTrace);
  const std::string token = "WEBIDENTITY-TOKEN-SECRET-" + Hex64();
  env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", home.Write("token", token));
  env.Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/slatedb-irsa");
  env.Set("AWS_ROLE_SESSION_NAME", "slatedb-test");
  env.Set("AWS_ENDPOINT_URL", ep);
  env.Set("AWS_ALLOW_HTTP", "true");
  auto config = S3ConfigFromEnv("slatedb-irsa-" + Hex64(), "p");
  ASSERT_OK(config) << config.status().ToString();
  auto creds = config->credentials_provider->GetCredentials();
  ASSERT_OK(creds) << creds.status().ToString();
  EXPECT_EQ(creds->source, "web identity");
  EXPECT_FALSE(creds->session_token.empty());
  ASSERT_TRUE(creds->expiration_ms.has_value());
  ASSERT_OK(CreateS3Bucket(*config));
  auto s = NewS3ObjectStore(*config);
  ASSERT_OK(s) << s.status().ToString();
  ASSERT_OK((*s)->Put("k", "irsa"));
  EXPECT_EQ((*s)->Get("k").value_or("?"), "irsa");
  EXPECT_EQ(log.logger().Count("AWS credentials from web identity (temporary)"), 1u) << log.All();
  const std::string logged = log.All();
  EXPECT_EQ(logged.find(token), std::string::npos);
  EXPECT_EQ(logged.find(creds->secret_access_key), std::string::npos);
  EXPECT_EQ(logged.find(creds->session_token), std::string::npos);
}

TEST(S3Errors, MissingBucketNamesTheBucket) {
  const char* ep = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (ep == nullptr || *ep == '\0') GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT is not set";
  S3Config c;
  c.bucket = "slatedb-no-such-bucket-" + Hex64();
  c.endpoint = ep;
  c.allow_http = true;
  c.access_key_id = "testing";
  c.secret_access_key = "testing";
  auto s = NewS3ObjectStore(c);
  ASSERT_OK(s);
  auto r = (*s)->Put("k", "v");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bucket '" + c.bucket + "' does not exist"),
            std::string::npos)
      << r.status().ToString();
  auto l = (*s)->List("");
  EXPECT_NE(l.status().message().find("does not exist"), std::string::npos);
  EXPECT_FALSE((*s)->Delete("k").ok());
}

TEST(S3Multipart, FailedUploadIsAborted) {
  const char* ep = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (ep == nullptr || *ep == '\0') GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT is not set";
  S3Config c;
  c.bucket = "slatedb-mpu-" + Hex64();
  c.endpoint = ep;
  c.allow_http = true;
  c.access_key_id = "testing";
  c.secret_access_key = "testing";
  c.multipart_threshold = 1u << 20;
  c.part_size = 1u << 20;  // below S3's 5 MiB minimum: CompleteMultipartUpload fails
  ASSERT_OK(CreateS3Bucket(c));
  auto s = NewS3ObjectStore(c);
  ASSERT_OK(s);
  auto r = (*s)->Put("parts/too-small", std::string(3u << 20, 'p'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("EntityTooSmall"), std::string::npos)
      << r.status().ToString();
  EXPECT_TRUE((*s)->Head("parts/too-small").status().IsNotFound());
  // No multipart upload is left behind (ListMultipartUploads).
  std::string body;
  CURL* h = curl_easy_init();
  std::string url = std::string(ep) + "/" + c.bucket + "?uploads=";
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  ASSERT_EQ(curl_easy_perform(h), CURLE_OK);
  curl_easy_cleanup(h);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body.c_str())) << body;
  auto root = doc.child("ListMultipartUploadsResult");
  ASSERT_TRUE(root) << body;
  EXPECT_FALSE(root.child("Upload")) << body;
}

// The <Upload> entries of ListMultipartUploads on an unauthenticated moto endpoint.
std::vector<std::string> PendingUploads(const std::string& ep, const std::string& bucket) {
  std::string body;
  CURL* h = curl_easy_init();
  std::string url = ep + "/" + bucket + "?uploads=";
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  EXPECT_EQ(curl_easy_perform(h), CURLE_OK);
  curl_easy_cleanup(h);
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(body.c_str())) << body;
  auto root = doc.child("ListMultipartUploadsResult");
  EXPECT_TRUE(root) << body;
  std::vector<std::string> keys;
  for (auto u = root.child("Upload"); u; u = u.next_sibling("Upload")) {
    keys.push_back(u.child_value("Key"));
  }
  return keys;
}

TEST(S3Multipart, StreamedUploadSendsPartsAndAbortLeavesNoUpload) {
  const char* ep = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (ep == nullptr || *ep == '\0') GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT is not set";
  S3Config c;
  c.bucket = "slatedb-stream-" + Hex64();
  c.endpoint = ep;
  c.allow_http = true;
  c.access_key_id = "testing";
  c.secret_access_key = "testing";
  c.multipart_threshold = 5u << 20;
  c.part_size = 5u << 20;  // S3's minimum
  ASSERT_OK(CreateS3Bucket(c));
  auto s = NewS3ObjectStore(c);
  ASSERT_OK(s);
  std::string data(13u << 20, 'd');
  for (size_t i = 0; i < data.size(); i += 4093) data[i] = static_cast<char>(i / 4093);
  auto append_all = [&](ObjectWriter* w, size_t n) {
    for (size_t off = 0; off < n; off += 64u << 10) {
      ASSERT_OK(
          w->Append(std::string_view(data).substr(off, std::min<size_t>(64u << 10, n - off))));
    }
  };
  {
    auto w = (*s)->OpenWriter("db/compacted/streamed.sst");
    ASSERT_OK(w);
    append_all(w->get(), data.size());
    // Two full parts went out while appending; the upload is pending, the object invisible.
    EXPECT_EQ(PendingUploads(ep, c.bucket), std::vector<std::string>{"db/compacted/streamed.sst"});
    EXPECT_TRUE((*s)->Head("db/compacted/streamed.sst").status().IsNotFound());
    auto etag = (*w)->Finish();
    ASSERT_OK(etag) << etag.status().ToString();
    EXPECT_TRUE((*s)->Get("db/compacted/streamed.sst").value_or("?") == data);
    // A multipart ETag ("<md5>-<parts>") names the 3 parts: 5 + 5 + 3 MiB.
    EXPECT_NE(etag->find("-3"), std::string::npos) << *etag;
    EXPECT_TRUE(PendingUploads(ep, c.bucket).empty());
  }
  for (bool abort : {true, false}) {
    SCOPED_TRACE(abort ? "aborted" : "dropped");
    auto w = (*s)->OpenWriter("db/compacted/abandoned.sst");
    ASSERT_OK(w);
    append_all(w->get(), 6u << 20);
    EXPECT_EQ(PendingUploads(ep, c.bucket).size(), 1u);
    if (abort) {
      EXPECT_OK((*w)->Abort());
    }
    w->reset();
    EXPECT_TRUE((*s)->Head("db/compacted/abandoned.sst").status().IsNotFound());
    EXPECT_TRUE(PendingUploads(ep, c.bucket).empty());
  }
  // Below one part: a single PUT, no upload is ever created.
  auto small = (*s)->OpenWriter("db/compacted/small.sst");
  ASSERT_OK(small);
  append_all(small->get(), 1u << 20);
  EXPECT_TRUE(PendingUploads(ep, c.bucket).empty());
  auto etag = (*small)->Finish();
  ASSERT_OK(etag) << etag.status().ToString();
  EXPECT_EQ(etag->find('-'), std::string::npos) << *etag;
  EXPECT_TRUE((*s)->Get("db/compacted/small.sst").value_or("?") == data.substr(0, 1u << 20));
}

// Prints the request rate seen on moto (no timing assertion): small PutIfAbsent + Get pairs
// from 1 and 4 threads.
TEST(S3Throughput, SmallPutIfAbsentAndGetRate) {
  const char* ep = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (ep == nullptr || *ep == '\0') GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT is not set";
  S3Config c;
  c.bucket = "slatedb-rate-" + Hex64();
  c.endpoint = ep;
  c.allow_http = true;
  c.access_key_id = "testing";
  c.secret_access_key = "testing";
  ASSERT_OK(CreateS3Bucket(c));
  auto s3 = NewS3ObjectStore(c);
  ASSERT_OK(s3);
  auto counted = NewFaultInjectingObjectStore(*s3, {});
  for (int threads : {1, 4}) {
    constexpr int kPairsPerThread = 100;
    counted->ResetCounts();
    std::atomic<int> failures{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < kPairsPerThread; ++i) {
          std::string key =
              "rate/" + std::to_string(threads) + "/" + std::to_string(t) + "/" + std::to_string(i);
          if (!counted->PutIfAbsent(key, "small value").ok()) failures.fetch_add(1);
          if (counted->Get(key).value_or("") != "small value") failures.fetch_add(1);
        }
      });
    }
    for (auto& th : ts) th.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    RequestCounts rc = counted->counts();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(rc.Total(), static_cast<uint64_t>(2 * kPairsPerThread * threads));
    std::printf(
        "[s3 rate] moto, %d thread(s): %d PutIfAbsent+Get pairs in %.2f s = %.0f "
        "pairs/s, %.0f requests/s\n",
        threads, kPairsPerThread * threads, secs, kPairsPerThread * threads / secs,
        static_cast<double>(rc.Total()) / secs);
  }
}

}  // namespace
}  // namespace slatedb
