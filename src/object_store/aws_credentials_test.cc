// AWS credential chain tests (label unit; no moto, no AWS): the shared-file parser and profile
// lookup, each source of the default chain against a fake IMDS / ECS / STS server of our own on
// 127.0.0.1 (FakeHttpServer), the chain order, refresh before expiry on a ManualClock (and that a
// refresh in flight does not block other callers), the error that lists the chain, secrets in no
// message or log line, virtual-hosted-style URLs, S3 URL options, and what the S3 store signs.
// Every test sets HOME and the AWS_* variables itself (ScopedAwsEnv), so the machine's ~/.aws
// and environment never matter, and IMDS is disabled unless a test points it at its fake.
#include "object_store/aws_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <condition_variable>
#include <ctime>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "object_store/aws_config_file.h"
#include "object_store/aws_test_support.h"
#include "object_store/s3_object_store.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;
using testing::ScopedAwsEnv;

constexpr int64_t kStart = 1795696097000;  // 2026-11-26T12:28:17Z
constexpr int64_t kMinute = 60 * 1000;

std::string Iso8601(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string CredsJson(const std::string& akid, const std::string& secret, const std::string& token,
                      int64_t expires_ms) {
  return R"({"Code":"Success","AccessKeyId":")" + akid + R"(","SecretAccessKey":")" + secret +
         R"(","Token":")" + token + R"(","Expiration":")" + Iso8601(expires_ms) + R"("})";
}

std::string StsXml(const std::string& akid, const std::string& secret, const std::string& token,
                   int64_t expires_ms) {
  return "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
         "<AccessKeyId>" +
         akid + "</AccessKeyId><SecretAccessKey>" + secret + "</SecretAccessKey><SessionToken>" +
         token + "</SessionToken><Expiration>" + Iso8601(expires_ms) +
         "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
         "</AssumeRoleWithWebIdentityResponse>";
}

// Secrets every fake hands out or reads; none may appear in a message or a log line.
const std::vector<std::string> kSecrets = {"ENVSECRET",        "PROFILESECRET", "IMDSSECRET",
                                           "IMDSSESSIONTOKEN", "ECSSECRET",     "ECSSESSIONTOKEN",
                                           "ECSAUTHTOKEN",     "STSSECRET",     "STSSESSIONTOKEN",
                                           "WEBIDENTITYJWT",   "IMDSV2TOKEN",   "HALFSETSECRET"};

void ExpectNoSecrets(const std::string& text) {
  for (const auto& s : kSecrets) EXPECT_EQ(text.find(s), std::string::npos) << s << " in " << text;
}

// An IMDSv2 fake: token PUT, role list, role credentials. `generation` picks the key id, so a
// refresh is visible; `expires` is the Expiration it hands out.
struct FakeImds {
  std::atomic<int> generation{1};
  std::atomic<int64_t> expires{kStart + 60 * kMinute};
  FakeHttpServer server{[this](const FakeRequest& r) { return Handle(r); }};

  FakeResponse Handle(const FakeRequest& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token") {
      if (r.Header("x-aws-ec2-metadata-token-ttl-seconds").empty()) return {400, "no ttl"};
      return {200, "IMDSV2TOKEN", "text/plain"};
    }
    if (r.Header("x-aws-ec2-metadata-token") != "IMDSV2TOKEN") {
      return {401, "", "text/plain"};
    }
    if (r.method == "GET" && r.path == "/latest/meta-data/iam/security-credentials/") {
      return {200, "slatedb-role\n", "text/plain"};
    }
    if (r.method == "GET" && r.path == "/latest/meta-data/iam/security-credentials/slatedb-role") {
      return {200, CredsJson("AKIMDS" + std::to_string(generation.load()), "IMDSSECRET",
                             "IMDSSESSIONTOKEN", expires.load())};
    }
    return {404, "", "text/plain"};
  }
};

class AwsCredentialsTest : public ::testing::Test {
 protected:
  AwsCredentialsTest() : env_(dir_.path()) {}

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  AwsCredentialChainOptions Options() {
    AwsCredentialChainOptions o;
    o.clock = clock_;
    o.logger = logger_;
    o.allow_http = true;
    o.ecs_base_url = ecs_.url();
    return o;
  }

  // A fake ECS agent: checks Authorization when `ecs_auth_` is set.
  FakeResponse Ecs(const FakeRequest& r) {
    if (!ecs_auth_.empty() && r.Header("authorization") != ecs_auth_) return {403, "{}"};
    if (r.path != "/v2/credentials/abc") return {404, "{}"};
    return {200, CredsJson("AKECS", "ECSSECRET", "ECSSESSIONTOKEN", kStart + 60 * kMinute)};
  }
  // A fake STS: AssumeRoleWithWebIdentity with the token WEBIDENTITYJWT.
  FakeResponse Sts(const FakeRequest& r) {
    if (r.method != "POST" ||
        r.body.find("Action=AssumeRoleWithWebIdentity") == std::string::npos) {
      return {400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"};
    }
    if (r.body.find("WebIdentityToken=WEBIDENTITYJWT") == std::string::npos) {
      return {400,
              "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token"
              "</Message></Error></ErrorResponse>",
              "text/xml"};
    }
    return {200, StsXml("AKSTS", "STSSECRET", "STSSESSIONTOKEN", kStart + 60 * kMinute),
            "text/xml"};
  }

  void TearDown() override {
    for (const auto& line : logger_->lines()) ExpectNoSecrets(line);
  }

  slatedb::testing::TempDir dir_;
  ScopedAwsEnv env_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  std::shared_ptr<slatedb::testing::CapturingLogger> logger_ =
      std::make_shared<slatedb::testing::CapturingLogger>(LogLevel::kTrace);
  std::string ecs_auth_;
  FakeHttpServer ecs_{[this](const FakeRequest& r) { return Ecs(r); }};
  FakeHttpServer sts_{[this](const FakeRequest& r) { return Sts(r); }};
};

// ------------------------------------------------------------------ shared files

TEST(AwsIniFile, ParsesSectionsCommentsAndSubProperties) {
  auto r = aws::ParseAwsIniFile(
      "# comment\n; other comment\n[default]\nregion = eu-west-1  # inline\n"
      "Aws_Access_Key_Id=AKID\r\n\n[profile dev]\ns3 =\n  addressing_style = path\n"
      "  endpoint_url = http://h:1\nregion=us-west-2;not-a-comment\n[empty]\n",
      "cfg");
  ASSERT_OK(r.status());
  EXPECT_EQ(r->at("default").at("region"), "eu-west-1");
  EXPECT_EQ(r->at("default").at("aws_access_key_id"), "AKID");  // keys are case-insensitive
  EXPECT_EQ(r->at("profile dev").at("s3.addressing_style"), "path");
  EXPECT_EQ(r->at("profile dev").at("s3.endpoint_url"), "http://h:1");
  EXPECT_EQ(r->at("profile dev").at("region"), "us-west-2;not-a-comment");
  EXPECT_TRUE(r->count("empty"));
}

TEST(AwsIniFile, ErrorsNameTheLineButNotItsText) {
  auto r = aws::ParseAwsIniFile("[default]\nPROFILESECRET\n", "/x/credentials");
  ASSERT_TRUE(r.status().IsInvalid());
  EXPECT_NE(r.status().message().find("'/x/credentials' line 2"), std::string::npos)
      << r.status().ToString();
  ExpectNoSecrets(r.status().message());
  EXPECT_TRUE(aws::ParseAwsIniFile("key = v\n", "f").status().IsInvalid());  // before a section
  EXPECT_TRUE(aws::ParseAwsIniFile("[default\n", "f").status().IsInvalid());
}

TEST_F(AwsCredentialsTest, ProfileFromBothFilesCredentialsFileWins) {
  WriteFile(Path("config"),
            "[default]\nregion = us-east-2\n[profile dev]\nregion = ap-south-1\n"
            "aws_access_key_id = AKFROMCONFIG\naws_secret_access_key = PROFILESECRET\n");
  WriteFile(Path("credentials"), "[dev]\naws_access_key_id = AKDEV\n");
  env_.Set("AWS_CONFIG_FILE", Path("config"));
  env_.Set("AWS_SHARED_CREDENTIALS_FILE", Path("credentials"));
  env_.Set("AWS_PROFILE", "dev");
  ASSERT_OK_AND_ASSIGN(aws::AwsProfile p, aws::LoadAwsProfile());
  EXPECT_TRUE(p.found);
  EXPECT_EQ(p.Get("region").value_or(""), "ap-south-1");
  EXPECT_EQ(p.Get("aws_access_key_id").value_or(""), "AKDEV");  // credentials file wins
  auto chain = NewDefaultAwsCredentialsChain(Options());
  ASSERT_OK_AND_ASSIGN(AwsCredentials c, chain->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKDEV");
  EXPECT_EQ(c.secret_access_key, "PROFILESECRET");
  EXPECT_FALSE(c.expiration_ms.has_value());
  EXPECT_NE(c.source.find("profile 'dev'"), std::string::npos) << c.source;
}

TEST_F(AwsCredentialsTest, DefaultProfileUnderHomeDotAws) {
  ASSERT_EQ(::mkdir(Path(".aws").c_str(), 0700), 0);
  WriteFile(Path(".aws/credentials"),
            "[default]\naws_access_key_id = AKHOME\naws_secret_access_key = PROFILESECRET\n"
            "aws_session_token = TOK\n");
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKHOME");
  EXPECT_EQ(c.session_token, "TOK");
}

TEST_F(AwsCredentialsTest, BadProfilesAreErrorsNotFallThrough) {
  WriteFile(Path("credentials"),
            "[half]\naws_secret_access_key = HALFSETSECRET\n[proc]\ncredential_process = x\n");
  env_.Set("AWS_SHARED_CREDENTIALS_FILE", Path("credentials"));
  env_.Set("AWS_CONFIG_FILE", Path("no-such-config"));
  // IMDS would answer, but a broken profile must not fall through to it.
  FakeImds imds;
  env_.Unset("AWS_EC2_METADATA_DISABLED");
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url());
  for (const auto& [profile, expected] : std::vector<std::pair<std::string, std::string>>{
           {"half", "aws_secret_access_key but no aws_access_key_id"},
           {"proc", "'credential_process', which slatedb-cpp does not support"},
           {"missing", "AWS_PROFILE names profile 'missing'"}}) {
    env_.Set("AWS_PROFILE", profile);
    auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
    ASSERT_TRUE(r.status().IsInvalid()) << profile << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status().ToString();
    ExpectNoSecrets(r.status().message());
  }
  EXPECT_EQ(imds.server.count(), 0u);
}

TEST_F(AwsCredentialsTest, S3ConfigFromEnvReadsRegionEndpointAndStyleFromProfile) {
  WriteFile(Path("config"),
            "[profile p]\nregion = eu-central-1\nendpoint_url = http://127.0.0.1:9\n"
            "s3 =\n  addressing_style = virtual\n");
  env_.Set("AWS_CONFIG_FILE", Path("config"));
  env_.Set("AWS_PROFILE", "p");
  env_.Set("AWS_ALLOW_HTTP", "true");
  ASSERT_OK_AND_ASSIGN(S3Config c, S3ConfigFromEnv("bucket", ""));
  EXPECT_EQ(c.region, "eu-central-1");
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(c.addressing_style, S3AddressingStyle::kVirtualHosted);
  ASSERT_NE(c.credentials_provider, nullptr);
  // The environment beats the profile.
  env_.Set("AWS_REGION", "us-west-1");
  env_.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:10");
  env_.Set("AWS_S3_FORCE_PATH_STYLE", "true");
  ASSERT_OK_AND_ASSIGN(S3Config e, S3ConfigFromEnv("bucket", ""));
  EXPECT_EQ(e.region, "us-west-1");
  EXPECT_EQ(e.endpoint, "http://127.0.0.1:10");
  EXPECT_EQ(e.addressing_style, S3AddressingStyle::kPath);
  env_.Set("AWS_S3_FORCE_PATH_STYLE", "maybe");
  EXPECT_TRUE(S3ConfigFromEnv("bucket", "").status().IsInvalid());
  env_.Unset("AWS_S3_FORCE_PATH_STYLE");
  env_.Set("AWS_SKIP_SIGNATURE", "true");
  ASSERT_OK_AND_ASSIGN(S3Config anon, S3ConfigFromEnv("bucket", ""));
  EXPECT_TRUE(anon.skip_signature);
  EXPECT_EQ(anon.credentials_provider, nullptr);
}

// ------------------------------------------------------------------ environment

TEST_F(AwsCredentialsTest, EnvironmentWithSessionTokenAndHalfSetPair) {
  env_.Set("AWS_ACCESS_KEY_ID", "AKENV");
  env_.Set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  env_.Set("AWS_SESSION_TOKEN", "ENVTOKEN");
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKENV");
  EXPECT_EQ(c.secret_access_key, "ENVSECRET");
  EXPECT_EQ(c.session_token, "ENVTOKEN");
  EXPECT_EQ(c.source, "environment");
  env_.Unset("AWS_ACCESS_KEY_ID");
  env_.Set("AWS_SECRET_ACCESS_KEY", "HALFSETSECRET");
  auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
  ASSERT_TRUE(r.status().IsInvalid()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("AWS_ACCESS_KEY_ID is not"), std::string::npos);
  ExpectNoSecrets(r.status().message());
}

// ------------------------------------------------------------------ IMDSv2

TEST_F(AwsCredentialsTest, ImdsV2TokenThenRoleCredentials) {
  FakeImds imds;
  ASSERT_NE(imds.server.port(), 0);
  env_.Unset("AWS_EC2_METADATA_DISABLED");
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url() + "/");
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKIMDS1");
  EXPECT_EQ(c.secret_access_key, "IMDSSECRET");
  EXPECT_EQ(c.session_token, "IMDSSESSIONTOKEN");
  ASSERT_TRUE(c.expiration_ms.has_value());
  EXPECT_EQ(*c.expiration_ms, kStart + 60 * kMinute);
  EXPECT_NE(c.source.find("slatedb-role"), std::string::npos);
  auto reqs = imds.server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].path, "/latest/api/token");
  EXPECT_EQ(reqs[0].Header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(reqs[1].path, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(reqs[1].Header("x-aws-ec2-metadata-token"), "IMDSV2TOKEN");
  EXPECT_EQ(reqs[2].path, "/latest/meta-data/iam/security-credentials/slatedb-role");
  EXPECT_EQ(reqs[2].Header("x-aws-ec2-metadata-token"), "IMDSV2TOKEN");
}

TEST_F(AwsCredentialsTest, ImdsDisabledIsNeverContacted) {
  FakeImds imds;
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url());
  env_.Set("AWS_EC2_METADATA_DISABLED", "TRUE");
  auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("disabled by AWS_EC2_METADATA_DISABLED"), std::string::npos);
  EXPECT_EQ(imds.server.count(), 0u);
}

TEST_F(AwsCredentialsTest, RefreshesBeforeExpiryOnTheInjectedClock) {
  FakeImds imds;
  env_.Unset("AWS_EC2_METADATA_DISABLED");
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url());
  auto chain = NewDefaultAwsCredentialsChain(Options());
  ASSERT_OK_AND_ASSIGN(AwsCredentials first, chain->GetCredentials());
  EXPECT_EQ(first.access_key_id, "AKIMDS1");
  EXPECT_EQ(imds.server.count(), 3u);
  // 54 minutes later (6 before expiry): cached, no request.
  imds.generation = 2;
  imds.expires = kStart + 120 * kMinute;
  clock_->Set(kStart + 54 * kMinute);
  ASSERT_OK_AND_ASSIGN(AwsCredentials cached, chain->GetCredentials());
  EXPECT_EQ(cached.access_key_id, "AKIMDS1");
  EXPECT_EQ(imds.server.count(), 3u);
  // 56 minutes (inside the 5-minute window): refreshed once.
  clock_->Set(kStart + 56 * kMinute);
  ASSERT_OK_AND_ASSIGN(AwsCredentials refreshed, chain->GetCredentials());
  EXPECT_EQ(refreshed.access_key_id, "AKIMDS2");
  EXPECT_EQ(imds.server.count(), 6u);
  ASSERT_OK_AND_ASSIGN(AwsCredentials again, chain->GetCredentials());
  EXPECT_EQ(again.access_key_id, "AKIMDS2");
  EXPECT_EQ(imds.server.count(), 6u);
  // A failed refresh keeps the still-valid credentials (and says so in a warning).
  clock_->Set(kStart + 116 * kMinute);
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT",
           "http://127.0.0.1:" + std::to_string(slatedb::testing::ClosedLoopbackPort()));
  ASSERT_OK_AND_ASSIGN(AwsCredentials kept, chain->GetCredentials());
  EXPECT_EQ(kept.access_key_id, "AKIMDS2");
  EXPECT_EQ(logger_->Count("refreshing AWS credentials failed"), 1u);
  // Past expiry with no source left: the chain's error.
  clock_->Set(kStart + 121 * kMinute);
  EXPECT_TRUE(chain->GetCredentials().status().IsPermissionDenied());
}

// A refresh in flight does not block other callers while the current credentials are valid, and
// it runs once.
TEST_F(AwsCredentialsTest, RefreshInFlightDoesNotBlockOtherCallers) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  int calls = 0;
  FakeHttpServer slow([&](const FakeRequest& r) -> FakeResponse {
    std::unique_lock<std::mutex> l(mu);
    const int n = ++calls;
    if (n == 2) {  // the refresh: hold it until the test has seen the other caller return
      entered = true;
      cv.notify_all();
      cv.wait(l, [&] { return release; });
    }
    return {200, CredsJson("AKECS" + std::to_string(n), "ECSSECRET", "ECSSESSIONTOKEN",
                           kStart + 60 * kMinute * n)};
  });
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", slow.url() + "/creds");
  auto chain = NewDefaultAwsCredentialsChain(Options());
  ASSERT_OK_AND_ASSIGN(AwsCredentials first, chain->GetCredentials());
  EXPECT_EQ(first.access_key_id, "AKECS1");
  clock_->Set(kStart + 57 * kMinute);  // inside the refresh window, still valid
  auto refresher = std::async(std::launch::async, [&] { return chain->GetCredentials(); });
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return entered; });
  }
  // The refresh is in flight (blocked in the server): this caller gets the current credentials.
  ASSERT_OK_AND_ASSIGN(AwsCredentials during, chain->GetCredentials());
  EXPECT_EQ(during.access_key_id, "AKECS1");
  {
    std::lock_guard<std::mutex> l(mu);
    release = true;
  }
  cv.notify_all();
  auto refreshed = refresher.get();
  ASSERT_OK(refreshed.status());
  EXPECT_EQ(refreshed->access_key_id, "AKECS2");
  ASSERT_OK_AND_ASSIGN(AwsCredentials after, chain->GetCredentials());
  EXPECT_EQ(after.access_key_id, "AKECS2");
  EXPECT_EQ(slow.count(), 2u);
}

// ------------------------------------------------------------------ ECS

TEST_F(AwsCredentialsTest, EcsRelativeUriWithAuthorizationToken) {
  ecs_auth_ = "ECSAUTHTOKEN";
  env_.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
  env_.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ECSAUTHTOKEN");
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKECS");
  EXPECT_EQ(c.session_token, "ECSSESSIONTOKEN");
  EXPECT_EQ(*c.expiration_ms, kStart + 60 * kMinute);
  ASSERT_EQ(ecs_.count(), 1u);
  EXPECT_EQ(ecs_.requests()[0].Header("authorization"), "ECSAUTHTOKEN");
  // A wrong token: kPermissionDenied, and the token is not echoed.
  env_.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "WRONG-ECSAUTHTOKEN");
  auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("HTTP 403"), std::string::npos);
  ExpectNoSecrets(r.status().message());
}

TEST_F(AwsCredentialsTest, EcsFullUriWithTokenFile) {
  ecs_auth_ = "ECSAUTHTOKEN";
  WriteFile(Path("ecs-token"), "ECSAUTHTOKEN\n");
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs_.url() + "/v2/credentials/abc");
  env_.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-a-file-is-set");
  env_.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", Path("ecs-token"));
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKECS");
  EXPECT_EQ(ecs_.requests().at(0).Header("authorization"), "ECSAUTHTOKEN");
  // Plain http to a host that is neither loopback nor the ECS/EKS address: refused, not sent.
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://198.51.100.7/creds");
  auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
  ASSERT_TRUE(r.status().IsInvalid()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("must be https://"), std::string::npos);
}

// ------------------------------------------------------------------ web identity

TEST_F(AwsCredentialsTest, WebIdentityAssumesRoleAtStsEndpoint) {
  WriteFile(Path("token"), "WEBIDENTITYJWT\n");
  env_.Set("AWS_WEB_IDENTITY_TOKEN_FILE", Path("token"));
  env_.Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/slatedb");
  env_.Set("AWS_ROLE_SESSION_NAME", "sess-1");
  env_.Set("AWS_ENDPOINT_URL_STS", sts_.url());
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKSTS");
  EXPECT_EQ(c.session_token, "STSSESSIONTOKEN");
  EXPECT_EQ(c.source, "web identity");
  ASSERT_EQ(sts_.count(), 1u);
  const std::string body = sts_.requests()[0].body;
  EXPECT_NE(body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fslatedb"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("RoleSessionName=sess-1"), std::string::npos) << body;
  EXPECT_EQ(sts_.requests()[0].Header("authorization"), "");  // the call is unsigned
  // A rejected token is kPermissionDenied naming STS's code, without the token.
  WriteFile(Path("token"), "WRONG-WEBIDENTITYJWT");
  auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("InvalidIdentityToken"), std::string::npos);
  ExpectNoSecrets(r.status().message());
  // Half-configured: an error, not a fall-through.
  env_.Unset("AWS_ROLE_ARN");
  EXPECT_TRUE(NewDefaultAwsCredentialsChain(Options())->GetCredentials().status().IsInvalid());
}

TEST_F(AwsCredentialsTest, WebIdentityFromAProfile) {
  WriteFile(Path("token"), "WEBIDENTITYJWT");
  WriteFile(Path("config"),
            "[profile irsa]\nrole_arn = arn:aws:iam::1:role/r\n"
            "web_identity_token_file = " +
                Path("token") + "\n");
  env_.Set("AWS_CONFIG_FILE", Path("config"));
  env_.Set("AWS_PROFILE", "irsa");
  env_.Set("AWS_ENDPOINT_URL", sts_.url());
  ASSERT_OK_AND_ASSIGN(AwsCredentials c,
                       NewDefaultAwsCredentialsChain(Options())->GetCredentials());
  EXPECT_EQ(c.access_key_id, "AKSTS");
  EXPECT_NE(c.source.find("profile 'irsa'"), std::string::npos) << c.source;
}

// ------------------------------------------------------------------ the chain

TEST_F(AwsCredentialsTest, ChainOrderEnvProfileWebIdentityEcsImds) {
  FakeImds imds;
  env_.Unset("AWS_EC2_METADATA_DISABLED");
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url());
  env_.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
  WriteFile(Path("token"), "WEBIDENTITYJWT");
  env_.Set("AWS_WEB_IDENTITY_TOKEN_FILE", Path("token"));
  env_.Set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  env_.Set("AWS_ENDPOINT_URL_STS", sts_.url());
  WriteFile(Path("credentials"),
            "[default]\naws_access_key_id = AKPROFILE\naws_secret_access_key = PROFILESECRET\n");
  env_.Set("AWS_SHARED_CREDENTIALS_FILE", Path("credentials"));
  env_.Set("AWS_ACCESS_KEY_ID", "AKENV");
  env_.Set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  auto get = [&] { return NewDefaultAwsCredentialsChain(Options())->GetCredentials(); };
  EXPECT_EQ(get().value().access_key_id, "AKENV");
  env_.Unset("AWS_ACCESS_KEY_ID");
  env_.Unset("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(get().value().access_key_id, "AKPROFILE");
  EXPECT_EQ(sts_.count() + ecs_.count() + imds.server.count(), 0u);
  env_.Unset("AWS_SHARED_CREDENTIALS_FILE");
  EXPECT_EQ(get().value().access_key_id, "AKSTS");
  EXPECT_EQ(ecs_.count() + imds.server.count(), 0u);
  env_.Unset("AWS_WEB_IDENTITY_TOKEN_FILE");
  env_.Unset("AWS_ROLE_ARN");
  EXPECT_EQ(get().value().access_key_id, "AKECS");
  EXPECT_EQ(imds.server.count(), 0u);
  env_.Unset("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  EXPECT_EQ(get().value().access_key_id, "AKIMDS1");
}

TEST_F(AwsCredentialsTest, NothingFoundListsEverySourceAndWhy) {
  env_.Unset("AWS_EC2_METADATA_DISABLED");
  env_.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT",
           "http://127.0.0.1:" + std::to_string(slatedb::testing::ClosedLoopbackPort()));
  auto r = NewDefaultAwsCredentialsChain(Options())->GetCredentials();
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  const std::string m = r.status().message();
  for (const char* part :
       {"no AWS credentials found",
        "1) environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "are not set",
        "2) shared config files: profile 'default'", "/.aws/credentials", "/.aws/config",
        "3) web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set",
        "4) ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "5) EC2 instance metadata (IMDSv2): no instance metadata service answered at "
        "http://127.0.0.1:",
        "AWS_SKIP_SIGNATURE=true"}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << "\nin: " << m;
  }
}

// ------------------------------------------------------------------ the S3 store

// What the S3 store sends: signed with the chain's temporary credentials (and their token), no
// request at all when there are none, and unsigned only with skip_signature.
TEST_F(AwsCredentialsTest, S3StoreSignsWithChainCredentialsAndNeverSendsUnsigned) {
  FakeHttpServer s3([](const FakeRequest& r) -> FakeResponse {
    if (r.method == "PUT") return {200, "", "application/xml"};
    return {404, "<Error><Code>NoSuchKey</Code></Error>", "application/xml"};
  });
  slatedb::testing::ScopedLogCapture log(LogLevel::kTrace);  // the chain logs to the default
  env_.Set("AWS_ENDPOINT_URL", s3.url());
  env_.Set("AWS_ALLOW_HTTP", "true");
  // OpenObjectStore uses the real ECS base address for relative URIs: use a full URI here.
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs_.url() + "/v2/credentials/abc");
  auto store = OpenObjectStore("s3://bucket/pre");
  ASSERT_OK(store.status());
  auto miss = (*store)->Get("k");
  EXPECT_TRUE(miss.status().IsNotFound()) << miss.status().ToString();
  ASSERT_EQ(s3.count(), 1u);
  FakeRequest signed_req = s3.requests()[0];
  EXPECT_EQ(signed_req.path, "/bucket/pre/k");  // custom endpoint: path-style
  EXPECT_NE(signed_req.Header("authorization").find("Credential=AKECS/"), std::string::npos)
      << signed_req.Header("authorization");
  EXPECT_EQ(signed_req.Header("x-amz-security-token"), "ECSSESSIONTOKEN");
  // No credentials anywhere: kPermissionDenied listing the chain, and nothing is sent.
  env_.Unset("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  auto none = OpenObjectStore("s3://bucket/pre");
  ASSERT_OK(none.status());
  auto r = (*none)->Get("k");
  ASSERT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("no AWS credentials found"), std::string::npos);
  EXPECT_NE(r.status().message().find("s3 GET s3://bucket/pre/k"), std::string::npos);
  EXPECT_EQ(s3.count(), 1u);
  // Explicitly unsigned (environment or URL option): no Authorization header.
  for (const std::string url : {"s3://bucket/pre?skip_signature=true",
                                "s3://bucket/pre?aws_skip_signature=true&force_path_style"}) {
    auto anon = OpenObjectStore(url);
    ASSERT_OK(anon.status());
    EXPECT_TRUE((*anon)->Get("k").status().IsNotFound());
    EXPECT_EQ(s3.requests().back().Header("authorization"), "") << url;
  }
  env_.Set("AWS_SKIP_SIGNATURE", "true");
  auto anon_env = OpenObjectStore("s3://bucket/pre");
  ASSERT_OK(anon_env.status());
  EXPECT_TRUE((*anon_env)->Get("k").status().IsNotFound());
  EXPECT_EQ(s3.requests().back().Header("authorization"), "");
  EXPECT_EQ(s3.count(), 4u);
  // An S3Config with no credentials, no provider and no skip_signature: refused, not unsigned.
  S3Config bare;
  bare.bucket = "bucket";
  bare.endpoint = s3.url();
  bare.allow_http = true;
  ASSERT_OK_AND_ASSIGN(auto bare_store, NewS3ObjectStore(bare));
  auto b = bare_store->Put("k", "v");
  ASSERT_TRUE(b.status().IsPermissionDenied()) << b.status().ToString();
  EXPECT_NE(b.status().message().find("skip_signature"), std::string::npos);
  EXPECT_EQ(s3.count(), 4u);
  EXPECT_EQ(log.logger().Count("AWS credentials from ECS container credentials (temporary)"), 1u)
      << log.All();
  ExpectNoSecrets(log.All());
}

TEST(S3UrlOptions, UnknownOrMalformedOptionsAreRejected) {
  slatedb::testing::TempDir dir;
  ScopedAwsEnv env(dir.path());
  env.Set("AWS_ACCESS_KEY_ID", "AK");
  env.Set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  auto unknown = OpenObjectStore("s3://bucket/p?region=x");
  ASSERT_TRUE(unknown.status().IsInvalid());
  EXPECT_NE(unknown.status().message().find("unknown option 'region'"), std::string::npos)
      << unknown.status().ToString();
  EXPECT_TRUE(OpenObjectStore("s3://bucket/p?skip_signature=perhaps").status().IsInvalid());
  EXPECT_TRUE(OpenObjectStore("s3://bucket/p?force_path_style=true&virtual_hosted_style_request")
                  .status()
                  .IsInvalid());
  EXPECT_TRUE(OpenObjectStore("s3://bucket/p#frag").status().IsInvalid());
  ASSERT_OK_AND_ASSIGN(auto ok, OpenObjectStore("s3://bucket/p?virtual_hosted_style_request=true"));
  EXPECT_EQ(ok->Describe(), "s3://bucket/p");
}

// ------------------------------------------------------------------ addressing

TEST(S3Addressing, VirtualHostedOnAwsPathStyleElsewhere) {
  using s3_internal::RequestUrl;
  using s3_internal::UsesVirtualHostedStyle;
  S3Config c;
  c.bucket = "my-bucket";
  c.endpoint = "https://s3.eu-west-1.amazonaws.com";
  EXPECT_TRUE(UsesVirtualHostedStyle(c));
  EXPECT_EQ(RequestUrl(c, true, "/db/wal/1.sst", ""),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/db/wal/1.sst");
  EXPECT_EQ(RequestUrl(c, true, "", "list-type=2&prefix=db"),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=db");
  EXPECT_EQ(RequestUrl(c, false, "/k", ""), "https://s3.eu-west-1.amazonaws.com/my-bucket/k");
  // The default endpoint (no endpoint given) is AWS: virtual-hosted.
  S3Config d;
  d.bucket = "my-bucket";
  d.region = "ap-southeast-2";
  d.skip_signature = true;
  ASSERT_OK(NewS3ObjectStore(d).status());
  d.endpoint = "https://s3.ap-southeast-2.amazonaws.com";
  EXPECT_TRUE(UsesVirtualHostedStyle(d));
  // China partition and S3 Express zonal endpoints are AWS too.
  c.endpoint = "https://s3.cn-north-1.amazonaws.com.cn";
  EXPECT_TRUE(UsesVirtualHostedStyle(c));
  c.endpoint = "https://s3express-usw2-az1.us-west-2.amazonaws.com";
  EXPECT_TRUE(UsesVirtualHostedStyle(c));
  // Custom endpoints (MinIO, moto, GCS): path-style.
  c.endpoint = "http://127.0.0.1:9000";
  EXPECT_FALSE(UsesVirtualHostedStyle(c));
  c.endpoint = "https://storage.googleapis.com";
  EXPECT_FALSE(UsesVirtualHostedStyle(c));
  // Dotted bucket names over https would fail the wildcard certificate: path-style.
  c.endpoint = "https://s3.eu-west-1.amazonaws.com";
  c.bucket = "my.dotted.bucket";
  EXPECT_FALSE(UsesVirtualHostedStyle(c));
  // Forced either way.
  c.bucket = "my-bucket";
  c.addressing_style = S3AddressingStyle::kPath;
  EXPECT_FALSE(UsesVirtualHostedStyle(c));
  c.addressing_style = S3AddressingStyle::kVirtualHosted;
  c.endpoint = "http://user:pw@minio.local:9000/base";
  EXPECT_TRUE(UsesVirtualHostedStyle(c));
  EXPECT_EQ(RequestUrl(c, true, "/k", ""), "http://user:pw@my-bucket.minio.local:9000/base/k");
}

TEST(AwsParsers, StsAndJsonDocuments) {
  ASSERT_OK_AND_ASSIGN(AwsCredentials s, aws::ParseStsCredentials(StsXml("A", "B", "C", kStart)));
  EXPECT_EQ(s.access_key_id, "A");
  EXPECT_EQ(*s.expiration_ms, kStart);
  EXPECT_TRUE(aws::ParseStsCredentials("<x/>").status().IsData());
  EXPECT_TRUE(aws::ParseStsCredentials("not xml <").status().IsData());
  ASSERT_OK_AND_ASSIGN(AwsCredentials j,
                       aws::ParseJsonCredentials(CredsJson("A", "B", "C", kStart), "w"));
  EXPECT_EQ(j.session_token, "C");
  // Long-term keys without Expiration (some ECS-compatible agents).
  ASSERT_OK_AND_ASSIGN(AwsCredentials n, aws::ParseJsonCredentials(
                                             R"({"AccessKeyId":"A","SecretAccessKey":"B"})", "w"));
  EXPECT_FALSE(n.expiration_ms.has_value());
  EXPECT_TRUE(aws::ParseJsonCredentials("[1]", "w").status().IsData());
  EXPECT_TRUE(aws::ParseJsonCredentials(R"({"AccessKeyId":"A"})", "w").status().IsData());
  auto failed = aws::ParseJsonCredentials(R"({"Code":"AssumeRoleUnauthorizedAccess"})", "w");
  EXPECT_TRUE(failed.status().IsPermissionDenied());
  EXPECT_TRUE(aws::ParseJsonCredentials(
                  R"({"AccessKeyId":"A","SecretAccessKey":"B","Expiration":"soon"})", "w")
                  .status()
                  .IsData());
}

}  // namespace
}  // namespace slatedb
